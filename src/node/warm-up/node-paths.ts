/**
 * The node-side work around every query, warmed on throwaway material: a stored column's chunk
 * decoder (a synthetic column sealed under a fresh random key, opened slice by slice as
 * table-store.ts readColumnChunks does, decoded by ColumnDecoder and expanded), and a result's
 * packaging (encodeResultShare's base64 and JSON, sealed to a fresh X25519 key as flows/query.ts
 * seals to a recipient). Nothing touches the data directory, the node's keys or the network.
 */

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { sealEnvelope } from '../../crypto/envelope.js';
import { PRG_KEY_BYTES } from '../../crypto/prg.js';
import type { Outputs } from '../../secret/outputs.js';
import { resultContext } from '../../wire/api.js';
import { encodeResultShare, RESULT_SHARE_FORMAT } from '../../wire/result-payload.js';
import { ColumnDecoder, encodeSharePayload, expandComponent, splitPayloadColumns } from '../../wire/share-payload.js';
import { SealedFileOpener, SealedKind, sealFile } from '../storage/sealed-file.js';

/** The slice a scan decrypts at a time (table-store.ts READ_SLICE_BYTES). */
const SLICE_BYTES = 1 << 20;

/** Seals a synthetic column of `rows` words (node 1's layout: words, then a seed), opens and decodes it; returns its checksum. */
export function decodeSyntheticColumn(rows: number): bigint {
  const words = new BigUint64Array(rows);
  new Uint8Array(words.buffer).set(randomBytes(words.byteLength));
  const payload = encodeSharePayload({ rows, columns: [{ a: { kind: 'words', words }, b: { kind: 'seed', seed: randomBytes(PRG_KEY_BYTES) } }] });
  const [column] = splitPayloadColumns(payload, { columns: 1, rows });
  const key = randomBytes(32);
  const label = 'column\x00warm-up\x000';
  const sealed = sealFile(key, SealedKind.Column, label, column);
  const header = sealed.subarray(0, SealedFileOpener.HEADER_BYTES);
  const tag = sealed.subarray(sealed.byteLength - SealedFileOpener.TAG_BYTES);
  const ciphertext = sealed.subarray(SealedFileOpener.HEADER_BYTES, sealed.byteLength - SealedFileOpener.TAG_BYTES);
  const opener = new SealedFileOpener(key, SealedKind.Column, label, header, tag);
  const decoder = new ColumnDecoder(rows);
  for (let start = 0; start < ciphertext.byteLength; start += SLICE_BYTES) decoder.push(opener.update(ciphertext.subarray(start, start + SLICE_BYTES)));
  const last = opener.final();
  if (last.byteLength > 0) decoder.push(last);
  const { a, b } = decoder.finish();
  const x = expandComponent(a, rows), y = expandComponent(b, rows);
  return rows > 0 ? x[rows - 1] ^ y[rows - 1] : 0n;
}

/** Packages one node's outputs as flows/query.ts does and seals them to a throwaway recipient key; returns the envelope's size. */
export function sealSyntheticResult(outputs: Outputs): number {
  const share = encodeResultShare({
    format: RESULT_SHARE_FORMAT,
    query: 'q-warm-up',
    node: 0,
    rows: outputs.rows,
    columns: outputs.columns.map((c) => ({ name: c.name, a: c.a, b: c.b })),
    public: { rows: outputs.rows, excluded: 0 },
  });
  const recipient = generateKeyPairSync('x25519').publicKey;
  const sealed = sealEnvelope(share, recipient, resultContext('warm-up', 'q-warm-up', 'warm-up', 0));
  return Buffer.from(sealed).toString('base64').length;
}
