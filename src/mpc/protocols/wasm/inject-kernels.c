/*
 * The element loops of bit injection (inject.ts; Araki et al. CCS 2016 style replicated sharing,
 * 2 rounds, 8 bytes per bit and party), one function per role, for one chunk of c elements.
 * The shared bit of element k is read from packed words, bit off + k of `bits` (a BitShare's own
 * words, not realigned): rho = (bits[j >> 6] >> (j & 63)) & 1 with j = off + k,
 * widened to a mask m = 0 - rho; d * (1 - 2 rho) is (d ^ m) - m. No branch or address depends
 * on the data.
 *
 *   first  (party P): z0 = d1 (1 - 2 rho) - r01 + r02, a = z0 + rho
 *   second (party Q): d2 = d - d1, d = c1 ^ c2 from Q's two components
 *   third  (party R): z2 = d2 (1 - 2 rho) - r02, b = z0 + rho
 *
 * Compiled by scripts/inner-terms-wasm.mjs (clang --target=wasm32 -O2) into
 * src/mpc/protocols/inject-kernels-wasm.ts, which holds the module's bytes.
 */
typedef unsigned long long u64;

static inline u64 bitAt(const u64 *bits, int j) {
  return (bits[j >> 6] >> (j & 63)) & 1;
}

__attribute__((export_name("first")))
void first(u64 *z0, u64 *a, const u64 *d1, const u64 *r01, const u64 *r02, const u64 *rho, int off, int c) {
  for (int k = 0; k < c; k++) {
    u64 bit = bitAt(rho, off + k), m = 0 - bit;
    u64 z = ((d1[k] ^ m) - m) - r01[k] + r02[k];
    z0[k] = z;
    a[k] = z + bit;
  }
}

__attribute__((export_name("second")))
void second(u64 *d2, const u64 *d1, const u64 *da, const u64 *db, int off, int c) {
  for (int k = 0; k < c; k++) d2[k] = (bitAt(da, off + k) ^ bitAt(db, off + k)) - d1[k];
}

__attribute__((export_name("third")))
void third(u64 *z2, u64 *b, const u64 *d2, const u64 *z0, const u64 *r02, const u64 *rho, int off, int c) {
  for (int k = 0; k < c; k++) {
    u64 bit = bitAt(rho, off + k), m = 0 - bit;
    z2[k] = ((d2[k] ^ m) - m) - r02[k];
    b[k] = z0[k] + bit;
  }
}
