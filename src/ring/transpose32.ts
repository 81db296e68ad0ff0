/**
 * In-place transpose of a 32x32 bit matrix (row r = A[r], bit c of row r ↔ bit r of row c),
 * written out: the rows in locals, the five swap stages (blocks of 16, 8, 4, 2, 1 bits, Hacker's
 * Delight §7-3) as straight-line code. The same stages as a loop over k with shifts and masks
 * in variables (test/ring/transpose32.test.ts keeps that form as the reference) took 9.5 ms per
 * 2^20 elements at 18 planes, this form 5.4 ms (s12-describe2): no loop or index arithmetic,
 * constant shifts and masks, the rows in registers instead of memory between stages.
 * Generated once by a few lines of Python in s12-describe2; edit by regenerating, not by hand.
 */
export function transpose32(A: Int32Array): void {
  let a0 = A[0]; let a1 = A[1]; let a2 = A[2]; let a3 = A[3]; let a4 = A[4]; let a5 = A[5]; let a6 = A[6]; let a7 = A[7];
  let a8 = A[8]; let a9 = A[9]; let a10 = A[10]; let a11 = A[11]; let a12 = A[12]; let a13 = A[13]; let a14 = A[14]; let a15 = A[15];
  let a16 = A[16]; let a17 = A[17]; let a18 = A[18]; let a19 = A[19]; let a20 = A[20]; let a21 = A[21]; let a22 = A[22]; let a23 = A[23];
  let a24 = A[24]; let a25 = A[25]; let a26 = A[26]; let a27 = A[27]; let a28 = A[28]; let a29 = A[29]; let a30 = A[30]; let a31 = A[31];
  let t: number;
  // Swap the 16-bit blocks off the diagonal of each 32x32 block (mask 0x0000ffff).
  t = ((a0 >>> 16) ^ a16) & 0x0000ffff; a16 ^= t; a0 ^= t << 16;
  t = ((a1 >>> 16) ^ a17) & 0x0000ffff; a17 ^= t; a1 ^= t << 16;
  t = ((a2 >>> 16) ^ a18) & 0x0000ffff; a18 ^= t; a2 ^= t << 16;
  t = ((a3 >>> 16) ^ a19) & 0x0000ffff; a19 ^= t; a3 ^= t << 16;
  t = ((a4 >>> 16) ^ a20) & 0x0000ffff; a20 ^= t; a4 ^= t << 16;
  t = ((a5 >>> 16) ^ a21) & 0x0000ffff; a21 ^= t; a5 ^= t << 16;
  t = ((a6 >>> 16) ^ a22) & 0x0000ffff; a22 ^= t; a6 ^= t << 16;
  t = ((a7 >>> 16) ^ a23) & 0x0000ffff; a23 ^= t; a7 ^= t << 16;
  t = ((a8 >>> 16) ^ a24) & 0x0000ffff; a24 ^= t; a8 ^= t << 16;
  t = ((a9 >>> 16) ^ a25) & 0x0000ffff; a25 ^= t; a9 ^= t << 16;
  t = ((a10 >>> 16) ^ a26) & 0x0000ffff; a26 ^= t; a10 ^= t << 16;
  t = ((a11 >>> 16) ^ a27) & 0x0000ffff; a27 ^= t; a11 ^= t << 16;
  t = ((a12 >>> 16) ^ a28) & 0x0000ffff; a28 ^= t; a12 ^= t << 16;
  t = ((a13 >>> 16) ^ a29) & 0x0000ffff; a29 ^= t; a13 ^= t << 16;
  t = ((a14 >>> 16) ^ a30) & 0x0000ffff; a30 ^= t; a14 ^= t << 16;
  t = ((a15 >>> 16) ^ a31) & 0x0000ffff; a31 ^= t; a15 ^= t << 16;
  // Swap the 8-bit blocks off the diagonal of each 16x16 block (mask 0x00ff00ff).
  t = ((a0 >>> 8) ^ a8) & 0x00ff00ff; a8 ^= t; a0 ^= t << 8;
  t = ((a1 >>> 8) ^ a9) & 0x00ff00ff; a9 ^= t; a1 ^= t << 8;
  t = ((a2 >>> 8) ^ a10) & 0x00ff00ff; a10 ^= t; a2 ^= t << 8;
  t = ((a3 >>> 8) ^ a11) & 0x00ff00ff; a11 ^= t; a3 ^= t << 8;
  t = ((a4 >>> 8) ^ a12) & 0x00ff00ff; a12 ^= t; a4 ^= t << 8;
  t = ((a5 >>> 8) ^ a13) & 0x00ff00ff; a13 ^= t; a5 ^= t << 8;
  t = ((a6 >>> 8) ^ a14) & 0x00ff00ff; a14 ^= t; a6 ^= t << 8;
  t = ((a7 >>> 8) ^ a15) & 0x00ff00ff; a15 ^= t; a7 ^= t << 8;
  t = ((a16 >>> 8) ^ a24) & 0x00ff00ff; a24 ^= t; a16 ^= t << 8;
  t = ((a17 >>> 8) ^ a25) & 0x00ff00ff; a25 ^= t; a17 ^= t << 8;
  t = ((a18 >>> 8) ^ a26) & 0x00ff00ff; a26 ^= t; a18 ^= t << 8;
  t = ((a19 >>> 8) ^ a27) & 0x00ff00ff; a27 ^= t; a19 ^= t << 8;
  t = ((a20 >>> 8) ^ a28) & 0x00ff00ff; a28 ^= t; a20 ^= t << 8;
  t = ((a21 >>> 8) ^ a29) & 0x00ff00ff; a29 ^= t; a21 ^= t << 8;
  t = ((a22 >>> 8) ^ a30) & 0x00ff00ff; a30 ^= t; a22 ^= t << 8;
  t = ((a23 >>> 8) ^ a31) & 0x00ff00ff; a31 ^= t; a23 ^= t << 8;
  // Swap the 4-bit blocks off the diagonal of each 8x8 block (mask 0x0f0f0f0f).
  t = ((a0 >>> 4) ^ a4) & 0x0f0f0f0f; a4 ^= t; a0 ^= t << 4;
  t = ((a1 >>> 4) ^ a5) & 0x0f0f0f0f; a5 ^= t; a1 ^= t << 4;
  t = ((a2 >>> 4) ^ a6) & 0x0f0f0f0f; a6 ^= t; a2 ^= t << 4;
  t = ((a3 >>> 4) ^ a7) & 0x0f0f0f0f; a7 ^= t; a3 ^= t << 4;
  t = ((a8 >>> 4) ^ a12) & 0x0f0f0f0f; a12 ^= t; a8 ^= t << 4;
  t = ((a9 >>> 4) ^ a13) & 0x0f0f0f0f; a13 ^= t; a9 ^= t << 4;
  t = ((a10 >>> 4) ^ a14) & 0x0f0f0f0f; a14 ^= t; a10 ^= t << 4;
  t = ((a11 >>> 4) ^ a15) & 0x0f0f0f0f; a15 ^= t; a11 ^= t << 4;
  t = ((a16 >>> 4) ^ a20) & 0x0f0f0f0f; a20 ^= t; a16 ^= t << 4;
  t = ((a17 >>> 4) ^ a21) & 0x0f0f0f0f; a21 ^= t; a17 ^= t << 4;
  t = ((a18 >>> 4) ^ a22) & 0x0f0f0f0f; a22 ^= t; a18 ^= t << 4;
  t = ((a19 >>> 4) ^ a23) & 0x0f0f0f0f; a23 ^= t; a19 ^= t << 4;
  t = ((a24 >>> 4) ^ a28) & 0x0f0f0f0f; a28 ^= t; a24 ^= t << 4;
  t = ((a25 >>> 4) ^ a29) & 0x0f0f0f0f; a29 ^= t; a25 ^= t << 4;
  t = ((a26 >>> 4) ^ a30) & 0x0f0f0f0f; a30 ^= t; a26 ^= t << 4;
  t = ((a27 >>> 4) ^ a31) & 0x0f0f0f0f; a31 ^= t; a27 ^= t << 4;
  // Swap the 2-bit blocks off the diagonal of each 4x4 block (mask 0x33333333).
  t = ((a0 >>> 2) ^ a2) & 0x33333333; a2 ^= t; a0 ^= t << 2;
  t = ((a1 >>> 2) ^ a3) & 0x33333333; a3 ^= t; a1 ^= t << 2;
  t = ((a4 >>> 2) ^ a6) & 0x33333333; a6 ^= t; a4 ^= t << 2;
  t = ((a5 >>> 2) ^ a7) & 0x33333333; a7 ^= t; a5 ^= t << 2;
  t = ((a8 >>> 2) ^ a10) & 0x33333333; a10 ^= t; a8 ^= t << 2;
  t = ((a9 >>> 2) ^ a11) & 0x33333333; a11 ^= t; a9 ^= t << 2;
  t = ((a12 >>> 2) ^ a14) & 0x33333333; a14 ^= t; a12 ^= t << 2;
  t = ((a13 >>> 2) ^ a15) & 0x33333333; a15 ^= t; a13 ^= t << 2;
  t = ((a16 >>> 2) ^ a18) & 0x33333333; a18 ^= t; a16 ^= t << 2;
  t = ((a17 >>> 2) ^ a19) & 0x33333333; a19 ^= t; a17 ^= t << 2;
  t = ((a20 >>> 2) ^ a22) & 0x33333333; a22 ^= t; a20 ^= t << 2;
  t = ((a21 >>> 2) ^ a23) & 0x33333333; a23 ^= t; a21 ^= t << 2;
  t = ((a24 >>> 2) ^ a26) & 0x33333333; a26 ^= t; a24 ^= t << 2;
  t = ((a25 >>> 2) ^ a27) & 0x33333333; a27 ^= t; a25 ^= t << 2;
  t = ((a28 >>> 2) ^ a30) & 0x33333333; a30 ^= t; a28 ^= t << 2;
  t = ((a29 >>> 2) ^ a31) & 0x33333333; a31 ^= t; a29 ^= t << 2;
  // Swap the 1-bit blocks off the diagonal of each 2x2 block (mask 0x55555555).
  t = ((a0 >>> 1) ^ a1) & 0x55555555; a1 ^= t; a0 ^= t << 1;
  t = ((a2 >>> 1) ^ a3) & 0x55555555; a3 ^= t; a2 ^= t << 1;
  t = ((a4 >>> 1) ^ a5) & 0x55555555; a5 ^= t; a4 ^= t << 1;
  t = ((a6 >>> 1) ^ a7) & 0x55555555; a7 ^= t; a6 ^= t << 1;
  t = ((a8 >>> 1) ^ a9) & 0x55555555; a9 ^= t; a8 ^= t << 1;
  t = ((a10 >>> 1) ^ a11) & 0x55555555; a11 ^= t; a10 ^= t << 1;
  t = ((a12 >>> 1) ^ a13) & 0x55555555; a13 ^= t; a12 ^= t << 1;
  t = ((a14 >>> 1) ^ a15) & 0x55555555; a15 ^= t; a14 ^= t << 1;
  t = ((a16 >>> 1) ^ a17) & 0x55555555; a17 ^= t; a16 ^= t << 1;
  t = ((a18 >>> 1) ^ a19) & 0x55555555; a19 ^= t; a18 ^= t << 1;
  t = ((a20 >>> 1) ^ a21) & 0x55555555; a21 ^= t; a20 ^= t << 1;
  t = ((a22 >>> 1) ^ a23) & 0x55555555; a23 ^= t; a22 ^= t << 1;
  t = ((a24 >>> 1) ^ a25) & 0x55555555; a25 ^= t; a24 ^= t << 1;
  t = ((a26 >>> 1) ^ a27) & 0x55555555; a27 ^= t; a26 ^= t << 1;
  t = ((a28 >>> 1) ^ a29) & 0x55555555; a29 ^= t; a28 ^= t << 1;
  t = ((a30 >>> 1) ^ a31) & 0x55555555; a31 ^= t; a30 ^= t << 1;
  A[0] = a0; A[1] = a1; A[2] = a2; A[3] = a3; A[4] = a4; A[5] = a5; A[6] = a6; A[7] = a7;
  A[8] = a8; A[9] = a9; A[10] = a10; A[11] = a11; A[12] = a12; A[13] = a13; A[14] = a14; A[15] = a15;
  A[16] = a16; A[17] = a17; A[18] = a18; A[19] = a19; A[20] = a20; A[21] = a21; A[22] = a22; A[23] = a23;
  A[24] = a24; A[25] = a25; A[26] = a26; A[27] = a27; A[28] = a28; A[29] = a29; A[30] = a30; A[31] = a31;
}
