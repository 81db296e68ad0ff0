/*
 * The passes of the shuffle's staged permutations (permute-wasm.ts, shuffle.ts; Chida et
 * al., ePrint 2019/695), for one chunk of c rows: row j of the output reads tmp[local[j]] (an
 * index inside j's own bucket, so the reads stay in cache), combined with mask word m[j]:
 *
 *   gather_OP          out[j]          = tmp[local[j]] OP m[j]
 *   gather_add_sub     out[j]          = tmp[local[j]] + m[j] - minus[j]
 *   gather_xor_xor     out[j]          = tmp[local[j]] ^ m[j] ^ minus[j]
 *   gather_OP_scatter  tmp2[place[j]]  = tmp[local[j]] OP m[j]   (the next permutation's pass 1)
 *
 * and pass 1 (scatter, scatter_add, scatter_xor) below.
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

/*
 * Pass 1 of a staged permutation for one chunk of c rows: tmp[place[i]] = src[i], or the sum
 * (XOR) of a replicated pair's two components, a[i] + b[i].
 */
__attribute__((export_name("scatter")))
void scatter(const u64 *src, const int *place, u64 *tmp, int c) {
  for (int i = 0; i < c; i++) tmp[place[i]] = src[i];
}

__attribute__((export_name("scatter_add")))
void scatter_add(const u64 *a, const u64 *b, const int *place, u64 *tmp, int c) {
  for (int i = 0; i < c; i++) tmp[place[i]] = a[i] + b[i];
}

__attribute__((export_name("scatter_xor")))
void scatter_xor(const u64 *a, const u64 *b, const int *place, u64 *tmp, int c) {
  for (int i = 0; i < c; i++) tmp[place[i]] = a[i] ^ b[i];
}

/*
 * The draw of a staged permutation (permutation.ts, uniform-draws.ts), the same steps as the
 * JavaScript there, unit for unit:
 *
 *   lay_out     every row's bucket from its keystream byte (& mask), the buckets' starts, and
 *               place[i] = the next slot of row i's bucket (rows in order within a bucket).
 *               starts[0 .. mask + 1] and next[0 .. mask] must be zero on entry.
 *   draw_small  inside-out Fisher–Yates over slots k .. small - 1 of one bucket with Lemire's
 *               multiply-and-reject on 16-bit units (bounds up to 8,192, products below 2^29);
 *               returns the first slot not drawn (the units ran out) and leaves the read
 *               position in *cursor.
 *
 * The addresses depend on the keystream of a PRG the party holds, never on the data.
 */
__attribute__((export_name("lay_out")))
void lay_out(const unsigned int *quads, int n, int mask, int *starts, int *next, int *place) {
  int buckets = mask + 1, whole = n >> 2;
  const unsigned char *bytes = (const unsigned char *)quads;
  int *counts = next;
  for (int q = 0; q < whole; q++) {
    unsigned c = quads[q];
    counts[c & mask]++;
    counts[(c >> 8) & mask]++;
    counts[(c >> 16) & mask]++;
    counts[(c >> 24) & mask]++;
  }
  for (int i = whole * 4; i < n; i++) counts[bytes[i] & mask]++;
  for (int b = 0; b < buckets; b++) starts[b + 1] = starts[b] + counts[b];
  for (int b = 0; b < buckets; b++) next[b] = starts[b];
  for (int q = 0, i = 0; q < whole; q++, i += 4) {
    unsigned c = quads[q];
    place[i] = next[c & mask]++;
    place[i + 1] = next[(c >> 8) & mask]++;
    place[i + 2] = next[(c >> 16) & mask]++;
    place[i + 3] = next[(c >> 24) & mask]++;
  }
  for (int i = whole * 4; i < n; i++) place[i] = next[bytes[i] & mask]++;
}

__attribute__((export_name("draw_small")))
int draw_small(int *slots, int start, int k, int small, const unsigned short *units, int limit, int *cursor) {
  int next = *cursor;
  for (; k < small && next < limit; k++) {
    unsigned bound = k + 1;
    unsigned product = units[next++] * bound;
    if ((product & 0xffff) < bound) {
      /* Rare (below bound / 2^16): the threshold 2^16 mod bound only now. */
      unsigned threshold = 65536 % bound;
      while ((product & 0xffff) < threshold && next < limit) product = units[next++] * bound;
      /* Every unit read ahead was rejected: the caller reads more and draws slot k again. */
      if ((product & 0xffff) < threshold) break;
    }
    unsigned j = product >> 16;
    slots[k] = slots[j];
    slots[j] = start + k;
  }
  *cursor = next;
  return k;
}
