import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { leafHash, MerkleTree, verifyInclusion } from '../../src/crypto/merkle.js';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 9162 2.1.1, literally: MTH(D[n]) with k the largest power of two below n. */
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const leaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

test('merkle: leaf hash has the 0x00 prefix; roots match RFC 9162 for every size up to 70', () => {
  assert.ok(leafHash(Buffer.from('x')).equals(sha256(Buffer.from([0]), Buffer.from('x'))));
  for (let n = 1; n <= 70; n++) {
    const l = leaves(n);
    assert.ok(new MerkleTree(l).root.equals(mth(l)), `size ${n}`);
  }
});

test('merkle: every audit path verifies, and only for its own leaf, index and root', () => {
  for (const n of [1, 2, 3, 5, 8, 13, 64, 100]) {
    const l = leaves(n);
    const tree = new MerkleTree(l);
    for (let i = 0; i < n; i++) {
      const path = tree.path(i);
      assert.ok(verifyInclusion(l[i], i, n, path, tree.root), `size ${n} index ${i}`);
      if (n > 1) {
        assert.ok(!verifyInclusion(l[i], (i + 1) % n, n, path, tree.root), 'another index');
        assert.ok(!verifyInclusion(l[(i + 1) % n], i, n, path, tree.root), 'another leaf');
        assert.ok(!verifyInclusion(l[i], i, n, path.slice(0, -1), tree.root), 'a shortened path');
      }
      // (A path can also fit a larger tree size with the same root: sizes are bound by the signed statement, which names both.)
      const bigger = new MerkleTree(leaves(n + 1));
      assert.ok(!verifyInclusion(l[i], i, n + 1, path, bigger.root), 'the root of another tree');
      assert.ok(!verifyInclusion(l[i], i, n, [...path, tree.root], tree.root), 'a lengthened path');
    }
  }
});

test('merkle: an inner node cannot pass for a leaf, and malformed input fails', () => {
  const l = leaves(4);
  const tree = new MerkleTree(l);
  // The inner node over leaves 0 and 1, offered as leaf 0 of a tree of 2 with leaves 2-3's node as path.
  const inner01 = sha256(Buffer.from([1]), l[0], l[1]);
  const inner23 = sha256(Buffer.from([1]), l[2], l[3]);
  assert.ok(tree.root.equals(sha256(Buffer.from([1]), inner01, inner23)));
  assert.ok(!verifyInclusion(leafHash(Buffer.concat([inner01])), 0, 2, [inner23], tree.root));
  assert.ok(!verifyInclusion(l[0], -1, 4, tree.path(0), tree.root));
  assert.ok(!verifyInclusion(l[0], 4, 4, tree.path(0), tree.root));
  assert.ok(!verifyInclusion(l[0], 0.5, 4, tree.path(0), tree.root));
  assert.ok(!verifyInclusion(l[0], 0, 4, [Buffer.alloc(31), ...tree.path(0).slice(1)], tree.root));
  assert.throws(() => new MerkleTree([]));
  assert.throws(() => tree.path(4));
});
