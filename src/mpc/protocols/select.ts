/**
 * Oblivious selection: c ? x : y = y + c * (x - y), with c an arithmetic 0/1 share (1 round)
 * or a packed shared bit (bit injection first: 3 rounds).
 */

import type { Session } from '../session.js';
import { AShare, BitShare, addA, subA } from '../shares.js';
import { mul } from './arith.js';
import { bitInject } from './convert.js';

/** c ? x : y for an arithmetic 0/1 share c. One round. */
export async function select(s: Session, c: AShare, x: AShare, y: AShare): Promise<AShare> {
  return addA(y, await mul(s, c, subA(x, y)));
}

/** c ? x : y for a shared bit c. Three rounds. */
export async function selectBit(s: Session, c: BitShare, x: AShare, y: AShare): Promise<AShare> {
  return select(s, await bitInject(s, c), x, y);
}
