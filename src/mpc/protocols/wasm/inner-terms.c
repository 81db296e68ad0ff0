/*
 * The local terms of replicated-sharing inner products (ABY3 §5.2), for one chunk of c rows:
 *
 *   acc[i * r + j] += sum_k xa_i[k] * (ya_j[k] + yb_j[k]) + xb_i[k] * ya_j[k]   (mod 2^64)
 *
 * Layout in linear memory: at x, the l left vectors' components xa_0, xb_0, xa_1, xb_1, ...
 * (c words each); at y, the r right vectors' ya_0, yb_0, ya_1, ... (yb_j is overwritten with
 * ya_j + yb_j). Four right vectors per pass over a left one, their sums in registers.
 * totals[2j] and totals[2j + 1] gain sum_k ya_j[k] and sum_k yb_j[k] (the right vectors' own
 * sums, which a one-hot's derived last indicator needs). No branch or address depends on the data.
 *
 * combine() forms right vectors in the chunk from base vectors: public linear combinations
 * (packed bins of several sums, a one-hot's derived last indicator), so that they are never
 * written to JavaScript memory and read back.
 *
 * Compiled by scripts/inner-terms-wasm.mjs (clang --target=wasm32 -O2) into
 * src/mpc/protocols/inner-terms-wasm.ts, which holds the module's bytes.
 */
typedef unsigned long long u64;

__attribute__((export_name("chunkTerms")))
void chunkTerms(u64 *acc, u64 *totals, const u64 *x, u64 *y, int l, int r, int c) {
  for (int j = 0; j < r; j++) {
    const u64 *ya = y + (2 * j) * c;
    u64 *yb = y + (2 * j + 1) * c;
    u64 ta = 0, tb = 0;
    for (int k = 0; k < c; k++) {
      ta += ya[k];
      tb += yb[k];
      yb[k] += ya[k];
    }
    totals[2 * j] += ta;
    totals[2 * j + 1] += tb;
  }
  for (int i = 0; i < l; i++) {
    const u64 *xa = x + (2 * i) * c, *xb = xa + c;
    u64 *out = acc + i * r;
    int j = 0;
    for (; j + 4 <= r; j += 4) {
      const u64 *a0 = y + (2 * j) * c, *s0 = a0 + c, *a1 = s0 + c, *s1 = a1 + c;
      const u64 *a2 = s1 + c, *s2 = a2 + c, *a3 = s2 + c, *s3 = a3 + c;
      u64 t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      for (int k = 0; k < c; k++) {
        u64 p = xa[k], q = xb[k];
        t0 += p * s0[k] + q * a0[k];
        t1 += p * s1[k] + q * a1[k];
        t2 += p * s2[k] + q * a2[k];
        t3 += p * s3[k] + q * a3[k];
      }
      out[j] += t0;
      out[j + 1] += t1;
      out[j + 2] += t2;
      out[j + 3] += t3;
    }
    for (; j < r; j++) {
      const u64 *a0 = y + (2 * j) * c, *s0 = a0 + c;
      u64 t0 = 0;
      for (int k = 0; k < c; k++) t0 += xa[k] * s0[k] + xb[k] * a0[k];
      out[j] += t0;
    }
  }
}

/*
 * out[k] = constant + sum_t coef[t] * base[index[t] * c + k]   (mod 2^64), k < c: one component
 * of a right vector as a public linear combination of the chunk's base vectors (c words each).
 * Two terms per pass over out, which stays in cache.
 */
__attribute__((export_name("combine")))
void combine(u64 *out, const u64 *base, const int *index, const u64 *coef, int terms, u64 constant, int c) {
  int t = 0;
  if (terms % 2 == 1) {
    const u64 *v = base + (long)index[0] * c;
    u64 m = coef[0];
    for (int k = 0; k < c; k++) out[k] = constant + m * v[k];
    t = 1;
  } else {
    for (int k = 0; k < c; k++) out[k] = constant;
  }
  for (; t + 2 <= terms; t += 2) {
    const u64 *v = base + (long)index[t] * c, *w = base + (long)index[t + 1] * c;
    u64 m = coef[t], q = coef[t + 1];
    for (int k = 0; k < c; k++) out[k] += m * v[k] + q * w[k];
  }
}

/*
 * z_j[k] += xa[k] * (ya_j[k] + yb_j[k]) + xb[k] * ya_j[k]   (mod 2^64), k < c, j < r: the local
 * terms of the element-wise products of one left vector with r right ones (arith.ts mulPairs).
 * Layout: z_j at z + j * c; the right vectors' ya_0, yb_0, ya_1, ... at y (c words each).
 */
__attribute__((export_name("productTerms")))
void productTerms(u64 *z, const u64 *xa, const u64 *xb, const u64 *y, int r, int c) {
  for (int j = 0; j < r; j++) {
    const u64 *ya = y + (2 * j) * c, *yb = ya + c;
    u64 *out = z + j * c;
    for (int k = 0; k < c; k++) out[k] += xa[k] * (ya[k] + yb[k]) + xb[k] * ya[k];
  }
}
