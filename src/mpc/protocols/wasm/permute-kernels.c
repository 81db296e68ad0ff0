/*
 * The gather passes of the shuffle's staged permutations (permute-wasm.ts, shuffle.ts; Chida et
 * al., ePrint 2019/695), for one chunk of c rows: row j of the output reads tmp[local[j]] (an
 * index inside j's own bucket, so the reads stay in cache), combined with mask word m[j]:
 *
 *   gather_OP          out[j]          = tmp[local[j]] OP m[j]
 *   gather_add_sub     out[j]          = tmp[local[j]] + m[j] - minus[j]
 *   gather_xor_xor     out[j]          = tmp[local[j]] ^ m[j] ^ minus[j]
 *   gather_OP_scatter  tmp2[place[j]]  = tmp[local[j]] OP m[j]   (the next permutation's pass 1)
 *
 * OP is +, - or ^ (mod 2^64). The addresses depend on the permutations (known to the party that
 * applies them), never on the data. Compiled by scripts/inner-terms-wasm.mjs (clang
 * --target=wasm32 -O2) into src/mpc/protocols/permute-kernels-wasm.ts, which holds the bytes.
 */
typedef unsigned long long u64;

#define GATHER(name, expr) \
  __attribute__((export_name(#name))) \
  void name(const u64 *tmp, const int *local, u64 *out, const u64 *m, int c) { \
    for (int j = 0; j < c; j++) out[j] = expr; \
  }

GATHER(gather_add, tmp[local[j]] + m[j])
GATHER(gather_sub, tmp[local[j]] - m[j])
GATHER(gather_xor, tmp[local[j]] ^ m[j])

__attribute__((export_name("gather_add_sub")))
void gather_add_sub(const u64 *tmp, const int *local, u64 *out, const u64 *m, const u64 *minus, int c) {
  for (int j = 0; j < c; j++) out[j] = tmp[local[j]] + m[j] - minus[j];
}

__attribute__((export_name("gather_xor_xor")))
void gather_xor_xor(const u64 *tmp, const int *local, u64 *out, const u64 *m, const u64 *minus, int c) {
  for (int j = 0; j < c; j++) out[j] = tmp[local[j]] ^ m[j] ^ minus[j];
}

#define GATHER_SCATTER(name, op) \
  __attribute__((export_name(#name))) \
  void name(const u64 *tmp, const int *local, const int *place, u64 *tmp2, const u64 *m, int c) { \
    for (int j = 0; j < c; j++) tmp2[place[j]] = tmp[local[j]] op m[j]; \
  }

GATHER_SCATTER(gather_add_scatter, +)
GATHER_SCATTER(gather_sub_scatter, -)
GATHER_SCATTER(gather_xor_scatter, ^)
