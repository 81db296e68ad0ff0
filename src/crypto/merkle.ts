/**
 * Merkle trees as in RFC 9162 (Certificate Transparency 2.0), section 2.1, with SHA-256:
 *   leaf hash  = SHA-256(0x00 || leaf data)
 *   inner node = SHA-256(0x01 || left || right)
 * over n >= 1 leaves, the left subtree holding the largest power of two below n. The distinct
 * prefixes keep a leaf from ever passing for an inner node (no second preimages). Inclusion
 * proofs are the RFC's audit paths (leaf to root), verified with its algorithm (2.1.3.2), which
 * also fixes the path's length from the index and the tree size.
 *
 * Used for batch-signed contribution credentials: the owner signs one root over many leaves,
 * and a node checks a contributor's leaf with a few hashes instead of a signature.
 */

import { UsageError } from '../errors.js';
import { sha256 } from './sha256.js';

export const HASH_BYTES = 32;
const LEAF_PREFIX = Buffer.from([0x00]);

export function leafHash(data: Uint8Array): Buffer {
  return sha256(Buffer.concat([LEAF_PREFIX, data]));
}

// Inner nodes are hashed in one call over a reused 65-byte buffer: a hash object costs more
// than hashing 65 bytes, and a node checks ~10 inner hashes per contribution. (Synchronous,
// so no two uses of the buffer overlap.)
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeInput[0] = 0x01;

function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  return sha256(nodeInput);
}

/**
 * A tree over the given leaf hashes: its root and every leaf's audit path. Built bottom-up; an
 * odd node at the end of a level is carried up unchanged, which gives exactly the RFC's shape.
 */
export class MerkleTree {
  private readonly levels: Buffer[][];

  constructor(leafHashes: readonly Buffer[]) {
    if (leafHashes.length === 0) throw new UsageError('a Merkle tree needs at least one leaf');
    this.levels = [[...leafHashes]];
    for (let level = this.levels[0]; level.length > 1; ) {
      const up: Buffer[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) up.push(nodeHash(level[i], level[i + 1]));
      if (level.length % 2 === 1) up.push(level[level.length - 1]);
      this.levels.push(up);
      level = up;
    }
  }

  get size(): number {
    return this.levels[0].length;
  }

  get root(): Buffer {
    return this.levels[this.levels.length - 1][0];
  }

  /** The audit path of leaf `index`, from the leaf's sibling up to the root's child. */
  path(index: number): Buffer[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new UsageError(`leaf index ${index} is outside the tree (${this.size} leaves)`);
    const out: Buffer[] = [];
    let i = index;
    for (let l = 0; l < this.levels.length - 1; l++) {
      const sibling = i ^ 1;
      if (sibling < this.levels[l].length) out.push(this.levels[l][sibling]);
      i >>= 1;
    }
    return out;
  }
}

/**
 * RFC 9162 2.1.3.2: true when `path` proves that `leaf` (a leaf hash) is leaf `index` of the
 * tree of `size` leaves with root `root`. Any other path length, index or hash fails.
 */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  // Safe integers and bit operations: sizes here are far below 2^31.
  if (size > 2 ** 31) return false;
  let fn = index;
  let sn = size - 1;
  if (leaf.byteLength !== HASH_BYTES) return false;
  let r: Uint8Array = leaf;
  for (const p of path) {
    if (p.byteLength !== HASH_BYTES || sn === 0) return false;
    if ((fn & 1) === 1 || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1) === 0) {
        while ((fn & 1) === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.byteLength === root.byteLength && Buffer.from(r.buffer, r.byteOffset, r.byteLength).equals(root);
}
