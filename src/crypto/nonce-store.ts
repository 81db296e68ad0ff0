/**
 * Where a request verifier remembers the nonces it has seen (crypto/request-signing.ts), until
 * their timestamps fall out of the accepted clock window. The in-memory store forgets them at a
 * restart; a node uses a journaled one (node/replay-journal.ts) so that a request captured
 * before a restart cannot be replayed after it.
 */

export interface NonceStore {
  has(key: string): boolean;
  /** Remembers `key` until `expiry` (ms since epoch). */
  add(key: string, expiry: number): void;
  readonly size: number;
  /** Forgets every entry whose expiry is before `now`. */
  sweep(now: number): void;
}

export class MemoryNonceStore implements NonceStore {
  protected readonly entries = new Map<string, number>();

  has(key: string): boolean {
    return this.entries.has(key);
  }

  add(key: string, expiry: number): void {
    this.entries.set(key, expiry);
  }

  get size(): number {
    return this.entries.size;
  }

  sweep(now: number): void {
    for (const [key, expiry] of this.entries) if (expiry < now) this.entries.delete(key);
  }

  /** The live entries (for writing them out). */
  *live(now: number): IterableIterator<[string, number]> {
    for (const [key, expiry] of this.entries) if (expiry >= now) yield [key, expiry];
  }
}
