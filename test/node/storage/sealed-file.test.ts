import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSealedFile, openSealedFileChunks, sealFile, SealedFileFailure, SealedKind } from '../../../src/node/storage/sealed-file.js';

test('a sealed file opens whole or chunk by chunk (1 MiB chunks, in order) to the same bytes', () => {
  const key = randomBytes(32);
  for (const size of [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12345]) {
    const plain = randomBytes(size);
    const sealed = sealFile(key, SealedKind.Column, 'column\u0000t\u00000', plain);
    assert.ok(openSealedFile(key, SealedKind.Column, 'column\u0000t\u00000', sealed).equals(plain));
    const chunks: Buffer[] = [];
    openSealedFileChunks(key, SealedKind.Column, 'column\u0000t\u00000', sealed, (c) => chunks.push(Buffer.from(c)));
    assert.ok(Buffer.concat(chunks).equals(plain), `size ${size}`);
    assert.ok(chunks.every((c) => c.byteLength <= 1 << 20));
  }
});

test('a tampered sealed file is refused after its chunks, whole or chunked; a wrong label or kind too', () => {
  const key = randomBytes(32);
  const plain = randomBytes((1 << 20) + 100);
  const sealed = sealFile(key, SealedKind.Column, 'a', plain);
  for (const at of [25, 1 << 20, sealed.byteLength - 1]) {
    const bad = Buffer.from(sealed);
    bad[at] ^= 1;
    assert.throws(() => openSealedFile(key, SealedKind.Column, 'a', bad), /authentication tag mismatch/);
    assert.throws(() => openSealedFileChunks(key, SealedKind.Column, 'a', bad, () => undefined), SealedFileFailure);
  }
  assert.throws(() => openSealedFile(key, SealedKind.Column, 'b', sealed), SealedFileFailure);
  assert.throws(() => openSealedFile(key, SealedKind.Manifest, 'a', sealed), /file kind does not match/);
  assert.throws(() => openSealedFile(key, SealedKind.Column, 'a', sealed.subarray(0, 30)), SealedFileFailure);
});
