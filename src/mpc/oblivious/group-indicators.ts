/**
 * The arithmetic one-hot indicators of a secret group index: e_g = [index = g] for g in
 * 0..domain-1, as 0/1 arithmetic shares, for statistics that mask per-row quantities by group
 * and keep them (ops/logit-groups.ts multiplies a design by them), where one-hot.ts only needs
 * the indicators' inner products. The same steps as one-hot.ts's blocks, with one bit field:
 *
 * 1. The index's k = ceil(log2 domain) low bits and bit k (the index lies in [0, 2^keyBits),
 *    keyBits ≤ k + 1, as ops/group-key.ts makes it: an invalid row's index is `domain`) by the
 *    narrow bit decomposition (convert-narrow.ts: 5 rounds, ~3 bytes per row).
 * 2. "In domain": NOT bit k (local), the root of the indicator tree.
 * 3. The 2^k binary indicators of the k planes (level-indicators.ts: k rounds).
 * 4. Bit injection of the first `domain` of them (inject.ts: 2 rounds, 8 bytes per row each).
 *
 * An index in [domain, 2^k] (an invalid row) has no indicator set: such a row is in no group.
 * Memory: domain × rows arithmetic shares (16 bytes each), held by the caller.
 */

import { UsageError } from '../../errors.js';
import { wordsFor } from '../../ring/bits.js';
import { a2bNarrowPlanes, NARROW_A2B_MAX_BITS } from '../protocols/convert-narrow.js';
import { injectBits } from '../protocols/inject.js';
import { notBits } from '../sharing.js';
import type { Session } from '../session.js';
import { AShare, BitShare } from '../shares.js';
import { fieldIndicators } from './level-indicators.js';

export async function groupIndicators(s: Session, index: AShare, domain: number, keyBits: number): Promise<AShare[]> {
  const k = Math.max(1, Math.ceil(Math.log2(domain)));
  if (!Number.isInteger(domain) || domain < 1 || keyBits > k + 1 || keyBits > NARROW_A2B_MAX_BITS) {
    throw new UsageError(`groupIndicators: an index below 2^${keyBits} over ${domain} groups is not a group index (at most one bit above the groups' ${k})`);
  }
  const n = index.length;
  const width = Math.max(k, keyBits);
  const planes = await a2bNarrowPlanes(s, index, width);
  const inDomain = notBits(s.me, width > k ? planes[k] : new BitShare(new BigUint64Array(wordsFor(n)), new BigUint64Array(wordsFor(n)), n));
  const [terms] = await fieldIndicators(s, [{ planes: planes.slice(0, k), root: inDomain }], n);
  return injectBits(s, terms.slice(0, domain));
}
