/**
 * SHA-256 of a small input in one call. node:crypto's one-shot `hash` (Node 20.12 and later)
 * skips creating a Hash object, which costs more than hashing a few dozen bytes; nodes hash ~12
 * small inputs per contribution. Older Node 20 releases fall back to createHash.
 */

import * as nodeCrypto from 'node:crypto';

type OneShot = (algorithm: string, data: string | Uint8Array, outputEncoding: 'buffer') => Buffer;

const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;

export function sha256(data: string | Uint8Array): Buffer {
  return oneShot ? oneShot('sha256', data, 'buffer') : nodeCrypto.createHash('sha256').update(data).digest();
}
