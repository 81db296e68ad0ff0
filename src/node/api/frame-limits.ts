/**
 * The largest frame body a request can need, computed from what it declares before its body is
 * read: an upload from its frame header (row count and encoded columns, wire/api.ts UploadHeader),
 * a contribution from the append table's schema (one row). A body longer than that is refused
 * unread (413), whatever the node's overall bodyLimitBytes.
 *
 * A node's share payload (wire/share-payload.ts) is 12 bytes plus, per encoded column, two
 * components of 1 + max(16, 8 x rows) bytes (a seed or the words); its envelope adds at most the
 * largest envelope overhead (crypto/envelope.ts envelopeSize: version 2, signed). A frame is
 * 8 + header + 4 bytes plus 8 + envelope for each of the three parts (wire/frames.ts).
 */

import { envelopeSize } from '../../crypto/envelope.js';

const NODES = 3;
const FRAME_FIXED_BYTES = 8 + 4;
const PART_PREFIX_BYTES = 8;
const PAYLOAD_HEADER_BYTES = 12;
const SEED_BYTES = 16;
/**
 * What a contribution's frame header holds besides the credential (format, contributor id,
 * submission id, the three envelope digests), with room to spare; the credential itself is sized
 * by the x-tessera-credential header that carried it.
 */
export const CONTRIBUTION_HEADER_ALLOWANCE = 2048;

function payloadMaxBytes(columns: number, rows: number): number {
  return PAYLOAD_HEADER_BYTES + columns * 2 * (1 + Math.max(SEED_BYTES, 8 * rows));
}

function framePartsMaxBytes(columns: number, rows: number): number {
  return NODES * (PART_PREFIX_BYTES + envelopeSize(payloadMaxBytes(columns, rows), true, true));
}

/** Largest valid upload frame whose header is `headerBytes` long and declares `rows` x `columns` encoded. */
export function uploadFrameMaxBytes(headerBytes: number, columns: number, rows: number): number {
  return FRAME_FIXED_BYTES + headerBytes + framePartsMaxBytes(columns, rows);
}

/** Largest valid contribution frame for a table of `columns` encoded columns, its credential `credentialBytes` long as JSON. */
export function contributionFrameMaxBytes(columns: number, credentialBytes: number): number {
  return FRAME_FIXED_BYTES + credentialBytes + CONTRIBUTION_HEADER_ALLOWANCE + framePartsMaxBytes(columns, 1);
}
