/**
 * Group boundaries of rows sorted by a key: row i continues its group when its key equals the
 * key of row i-1. One batched equality of adjacent keys (compare.ts eq: 7 rounds, ~16 bytes per
 * row) and one bit injection (2 rounds, 8 bytes per row), so the flags come out as arithmetic
 * 0/1 shares, which the segmented scans multiply with. 9 rounds in all; nothing is opened.
 */

import { eq } from '../protocols/compare.js';
import { bitInject } from '../protocols/convert.js';
import { publicA } from '../sharing.js';
import type { Session } from '../session.js';
import { AShare } from '../shares.js';

export interface GroupFlags {
  /** 1 where row i has the key of row i-1 (always 0 for row 0). */
  readonly continues: AShare;
  /** 1 where row i is the last row of its group (always 1 for the last row). */
  readonly last: AShare;
}

export async function groupFlags(s: Session, sortedKey: AShare): Promise<GroupFlags> {
  const n = sortedKey.length;
  if (n <= 1) return { continues: AShare.zeros(n), last: publicA(s.me, new BigUint64Array(n).fill(1n)) };
  const same = await bitInject(s, await eq(s, sortedKey.slice(1, n), sortedKey.slice(0, n - 1)));
  // continues = [0, same...]; last = [1 - same..., 1] (the constant 1 goes into component 0).
  const continues = AShare.zeros(n);
  continues.a.set(same.a, 1);
  continues.b.set(same.b, 1);
  const last = publicA(s.me, new BigUint64Array(n).fill(1n));
  for (let i = 0; i < n - 1; i++) {
    last.a[i] -= same.a[i];
    last.b[i] -= same.b[i];
  }
  return { continues, last };
}
