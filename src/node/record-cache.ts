/**
 * The query records (results-store.ts) this node wrote or read last, parsed. A committed
 * record carries every recipient's sealed share as base64 (2.9 MB for 100K opened values), and
 * the few seconds after a query is computed read it again and again: the commit, the decision
 * hook, the peers' `query.state` and `result.get`, the client's state polls and its fetch. Parsing
 * it each time cost the coordinator ~0.3 s of CPU at 100K rows (docs/benchmarks.md, s7-predict).
 *
 * Only this node process writes its records (through ResultStore, which updates the cache on
 * every write), so a cached record is the file's content. Bounded by entries and by the
 * characters of the shares kept, so that a few large results cannot hold much memory.
 */

import type { QueryRecord } from './results-store.js';

export class RecordCache {
  private readonly records = new Map<string, { readonly record: QueryRecord; readonly chars: number }>();
  private chars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  get(query: string): QueryRecord | undefined {
    const hit = this.records.get(query);
    if (!hit) return undefined;
    // Most recently used last: the eviction below drops from the front.
    this.records.delete(query);
    this.records.set(query, hit);
    return hit.record;
  }

  set(record: QueryRecord): void {
    this.drop(record.query);
    const chars = Object.values(record.envelopes ?? {}).reduce((sum, e) => sum + e.length, 0);
    if (chars > this.maxChars) return;
    this.records.set(record.query, { record, chars });
    this.chars += chars;
    for (const [query] of this.records) {
      if (this.records.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.drop(query);
    }
  }

  drop(query: string): void {
    const old = this.records.get(query);
    if (!old) return;
    this.records.delete(query);
    this.chars -= old.chars;
  }
}
