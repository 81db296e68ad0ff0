/**
 * Load balancing by rotating roles. Several 3-party steps give one party more to send than the
 * others (the party that inputs x0 + x1 in the comparisons, the sender in bit injection). Here
 * a vector is cut into three contiguous chunks and chunk k is processed with party k in the
 * first role, so every party sends the same number of bytes and the step still takes one
 * message per link and round.
 */

import type { PartyId } from '../party.js';

/** Boundaries [0, b1, b2, n] of three near-equal chunks, inner boundaries multiples of `align`. */
export function chunkBounds(n: number, align = 1): [number, number, number, number] {
  const units = Math.ceil(n / align);
  const b1 = Math.min(n, Math.ceil(units / 3) * align);
  const b2 = Math.min(n, Math.ceil((2 * units) / 3) * align);
  return [0, b1, b2, n];
}

/** The role (0, 1 or 2) that party `me` plays in the chunk whose first role is party `k`. */
export function roleIn(me: PartyId, k: number): 0 | 1 | 2 {
  return ((me - k + 3) % 3) as 0 | 1 | 2;
}
