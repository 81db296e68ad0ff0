// The arithmetic zero-sharing's subtraction, out[i] = a[i] - b[i] mod 2^64, over one chunk of the
// two pairwise keystreams (zero-share.ts). Compiled with -msimd128: clang turns the loop into
// i64x2.sub, two words per instruction, which V8's BigUint64Array loop is not (1.6 ms per 2^20
// words there, docs/benchmarks.md s13-mul). No secret-dependent branch or address.
typedef unsigned long long u64;

__attribute__((export_name("subtract")))
void subtract(u64 *restrict out, const u64 *restrict a, const u64 *restrict b, int n) {
  for (int i = 0; i < n; i++) out[i] = a[i] - b[i];
}
