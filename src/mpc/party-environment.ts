/**
 * The process settings of a party (or node) process started three to a machine: glibc allocator
 * variables and V8 flags. Its own module, free of imports, because the node's entry point reads
 * it to warn about missing settings: importing it from process-cluster.ts pulled the certificate
 * library (@peculiar/x509, ~0.3 s of CPU to load) into every node's start.
 */

/**
 * glibc malloc settings for party processes: keep freed large blocks in the heap instead of
 * returning them to the kernel, so the next vector of the same size reuses mapped pages instead
 * of faulting in fresh ones (measured: mul of 2^20 elements 59-70 ms -> 54-55 ms); and back the
 * heap with transparent huge pages where the kernel offers them on request (glibc 2.35 and later;
 * THP in 'madvise' or 'always' mode), which cuts the page faults of a fresh 8 MiB share vector
 * from ~415 to ~5 (measured, three alternating pairs at 2^20 over TLS: CPU of the busiest party
 * for dot 64-68 -> 53-56 ms, mul 40-49 -> 37-40 ms, shuffle unchanged). Elsewhere the setting is
 * ignored. Values already in the environment win.
 */
export const PARTY_ALLOCATOR_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: String(1 << 30),
  MALLOC_TRIM_THRESHOLD_: String(2 ** 32),
  GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
};
/**
 * V8 flags for the three party (or node) processes that process-cluster.ts and `tessera cluster up`
 * start on one machine: garbage collection on each process's main thread only. Three processes
 * busy on a machine of few cores leave no idle core for V8's parallel and concurrent collector
 * threads, which then cost more CPU than they save (measured: the relational join at 2^17 rows
 * per side over TLS, three alternating pairs, 3.07 / 3.04 / 3.20 s of CPU per node against
 * 4.19 / 4.08 / 3.61 s, wall 21-23 s against 27-32 s). A node started on a machine of its own
 * (`tessera node`) keeps V8's defaults. Flags passed in `execArgv` come later and win.
 *
 * And full collections marked in one pause instead of incremental steps between the protocol's
 * work: a node's collections are started by the external memory of its share vectors (the JS
 * heap stays at ~19 MB and they free almost nothing of it), and incremental marking spreads each
 * over a hundred steps with write barriers on meanwhile; with no idle core to hide either, one
 * atomic marking costs less CPU (measured, groupby_category at 2^18 rows over TLS, three
 * alternating pairs: 1.27 / 1.22 / 1.14 -> 1.07 / 1.11 / 1.00 s of CPU per node; s7-onehot in
 * docs/benchmarks.md).
 */
export const COLOCATED_PARTY_FLAGS: readonly string[] = ['--single-threaded-gc', '--no-incremental-marking'];
