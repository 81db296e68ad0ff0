/**
 * Element loops shared by the protocols, each in a small function of its own. V8 compiles
 * BigInt arithmetic on BigUint64Array to machine instructions only in optimised code; a small
 * function called many times is optimised as a whole and stays so, while a long (async)
 * function with several loops is compiled loop by loop on the fly and falls back to the
 * interpreter at every new loop (measured: 30 times slower until it settles).
 */

/** out[i] = sum_k c_k x_k[i] + constant (public coefficients), two inputs per pass. */
export function combineInto(out: BigUint64Array, terms: readonly (readonly [BigUint64Array, bigint])[], constant: bigint): void {
  const n = out.length;
  const c = BigInt.asUintN(64, constant);
  if (terms.length === 0) {
    out.fill(c);
    return;
  }
  let k = 0;
  if (terms.length % 2 === 1) {
    scaleKernel(out, terms[0][0], BigInt.asUintN(64, terms[0][1]), c, n);
    k = 1;
  } else {
    pairKernel(out, terms[0][0], BigInt.asUintN(64, terms[0][1]), terms[1][0], BigInt.asUintN(64, terms[1][1]), c, n);
    k = 2;
  }
  for (; k < terms.length; k += 2) pairAddKernel(out, terms[k][0], BigInt.asUintN(64, terms[k][1]), terms[k + 1][0], BigInt.asUintN(64, terms[k + 1][1]), n);
}

function scaleKernel(out: BigUint64Array, x: BigUint64Array, cx: bigint, c: bigint, n: number): void {
  for (let i = 0; i < n; i++) out[i] = x[i] * cx + c;
}

function pairKernel(out: BigUint64Array, x: BigUint64Array, cx: bigint, y: BigUint64Array, cy: bigint, c: bigint, n: number): void {
  for (let i = 0; i < n; i++) out[i] = x[i] * cx + y[i] * cy + c;
}

function pairAddKernel(out: BigUint64Array, x: BigUint64Array, cx: bigint, y: BigUint64Array, cy: bigint, n: number): void {
  for (let i = 0; i < n; i++) out[i] += x[i] * cx + y[i] * cy;
}

/** z[i] += xa[i] (ya[i] + yb[i]) + xb[i] ya[i]: this party's term of the product x y. */
export function addProductKernel(z: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array): void {
  for (let i = 0; i < z.length; i++) z[i] += xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i];
}

/** z[i] += x[i]. */
export function addKernel(z: BigUint64Array, x: BigUint64Array): void {
  for (let i = 0; i < z.length; i++) z[i] += x[i];
}

/** out[i] = a[i] ^ b[i]. */
export function xorKernel(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] ^ b[i];
}

/** out[i] = a[i] ^ all ones. */
export function invertKernel(out: BigUint64Array, a: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] ^ 0xffffffffffffffffn;
}

/** out[i] = a[i] + b[i]. */
export function sumKernel(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
}

/** out[i] = a[i] - b[i]. */
export function subKernel(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] - b[i];
}

/** a + b + c into a new vector. */
export function sum3(a: BigUint64Array, b: BigUint64Array, c: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i] + c[i];
  return out;
}

/** a ^ b ^ c into a new vector. */
export function xor3(a: BigUint64Array, b: BigUint64Array, c: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i] ^ b[i] ^ c[i];
  return out;
}

/** a + b into a new vector. */
export function sum2(a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(a.length);
  sumKernel(out, a, b);
  return out;
}

/** a ^ b into a new vector. */
export function xor2(a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(a.length);
  xorKernel(out, a, b);
  return out;
}
