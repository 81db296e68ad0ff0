/**
 * Keeps one instance of each hot class alive for the life of the process, so that V8 keeps the
 * class's hidden class (its map).
 *
 * Why: optimised code holds the maps it was specialised on weakly, and a class instance's final
 * map (after its constructor added the fields) is reachable only from live instances: the map
 * transitions that lead to it are weak. A full collection at a moment when no instance of the
 * class lives (between two queries, or during a phase that makes none, e.g. while the scan reads
 * columns) frees the map, and V8 throws away every optimised function that embedded it (`--trace-deopt`:
 * "marking dependent code … reason: weak objects"); their next calls run in the interpreter and
 * compile again (docs/benchmarks.md, "s10-deopt"). One kept instance holds the map, so the code
 * compiled by the node's start-up warm-up survives to its first query and every later one.
 */

const kept: object[] = [];
const newest = new Map<string, object>();

/** Keeps `instance` (and so its map) reachable for good; returns it. Call once per class, at module load. */
export function keepShape<T extends object>(instance: T): T {
  kept.push(instance);
  return instance;
}

/**
 * For a class whose instances need live resources to be made (a session needs its party): keeps
 * the newest instance of `kind` reachable, in place of the one before, so at most one is retained.
 */
export function keepNewest(kind: string, instance: object): void {
  newest.set(kind, instance);
}
