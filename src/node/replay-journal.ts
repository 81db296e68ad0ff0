/**
 * The node's replay cache on disk, so that a signed request captured before a restart cannot be
 * replayed after it (the cache would otherwise start empty while the request's timestamp is
 * still inside the accepted clock window).
 *
 * One append-only file, `<dataDir>/replay-nonces.log`, a line per accepted signed request:
 *   <audience node index> <expiry ms> <key>\n       key = 22 base64url chars of SHA-256(signer, nonce)
 * A line is written with a synchronous write(2) before the request is acted on, and never waits
 * for fsync: once write returns the line is in the kernel's page cache, which outlives the node
 * process (a crash, kill -9, a restart). fsync runs in the background at most once a second, so
 * that a power loss forgets at most the last second's nonces (docs/storage.md says what that
 * leaves open). At start the node reads the file back, keeps the entries still inside the window,
 * and rewrites the file with only those (as it also does once enough expired lines piled up).
 */

import { closeSync, fsync, fsyncSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryNonceStore, type NonceStore } from '../crypto/nonce-store.js';
import { NodeUnavailableError, TesseraError } from '../errors.js';

export const REPLAY_JOURNAL_FILE = 'replay-nonces.log';
const KEY = /^[A-Za-z0-9_-]{22}$/;
const FSYNC_EVERY_MS = 1000;
/** Rewrite the file once it holds this many lines more than twice the live entries. */
const COMPACT_AFTER_LINES = 50_000;

class JournaledNonceStore extends MemoryNonceStore {
  constructor(
    private readonly audience: number,
    private readonly journal: ReplayJournal,
  ) {
    super();
  }

  override add(key: string, expiry: number): void {
    this.journal.append(`${this.audience} ${expiry} ${key}\n`);
    super.add(key, expiry);
  }

  /** Restores an entry read back from the file (not written again). */
  restore(key: string, expiry: number): void {
    super.add(key, expiry);
  }
}

export class ReplayJournal {
  private fd: number;
  private readonly stores: JournaledNonceStore[];
  private linesSinceCompaction = 0;
  private dirty = false;
  private syncing = false;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  /** Descriptors replaced by a compaction while an fsync was using them. */
  private readonly retiring: number[] = [];

  private constructor(
    private readonly path: string,
    audiences: number,
    private readonly now: () => number,
  ) {
    this.stores = Array.from({ length: audiences }, (_, i) => new JournaledNonceStore(i, this));
    this.fd = -1;
    this.timer = setInterval(() => this.syncInBackground(), FSYNC_EVERY_MS);
    this.timer.unref();
  }

  /** Reads the journal back (entries still inside the window) and rewrites it with only those. */
  static open(dataDir: string, audiences: number, now: () => number = Date.now): ReplayJournal {
    const path = join(dataDir, REPLAY_JOURNAL_FILE);
    const journal = new ReplayJournal(path, audiences, now);
    if (existsSync(path)) journal.readBack(readFileSync(path, 'utf8'));
    journal.compact();
    return journal;
  }

  /** The nonce store of the verifier for requests addressed to node `audience`. */
  store(audience: number): NonceStore {
    return this.stores[audience];
  }

  append(line: string): void {
    if (this.closed) throw new NodeUnavailableError('the node is stopping; send the request again once it is back');
    writeSync(this.fd, line);
    this.dirty = true;
    if (++this.linesSinceCompaction > COMPACT_AFTER_LINES + 2 * this.liveCount()) this.compact();
  }

  /** Flushes and closes the file (the node is stopping). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    fsyncSync(this.fd);
    if (this.syncing) this.retiring.push(this.fd);
    else closeSync(this.fd);
  }

  private liveCount(): number {
    let n = 0;
    for (const s of this.stores) n += s.size;
    return n;
  }

  private readBack(text: string): void {
    const now = this.now();
    const lines = text.split('\n');
    // The last line may be cut off by a crash in the middle of a write: only a complete line counts.
    for (let i = 0; i < lines.length - 1; i++) {
      const [audienceText, expiryText, key, ...rest] = lines[i].split(' ');
      const audience = Number(audienceText);
      const expiry = Number(expiryText);
      if (rest.length > 0 || !Number.isInteger(audience) || audience < 0 || audience >= this.stores.length || !Number.isSafeInteger(expiry) || !KEY.test(key ?? '')) {
        throw new TesseraError(
          'STORAGE_CORRUPT',
          `the replay journal ${this.path} is damaged (line ${i + 1} is not '<node> <expiry> <key>'); the node will not start without it. Move it aside only once timeouts.requestSkewMs has passed since the node last ran (no request it saw can then be replayed)`,
        );
      }
      if (expiry >= now) this.stores[audience].restore(key, expiry);
    }
  }

  /** Writes the live entries to a new file and puts it in place of the old one (atomically). */
  private compact(): void {
    const now = this.now();
    for (const s of this.stores) s.sweep(now);
    const lines: string[] = [];
    this.stores.forEach((s, audience) => {
      for (const [key, expiry] of s.live(now)) lines.push(`${audience} ${expiry} ${key}\n`);
    });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, lines.join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncDirectory(this.path);
    const old = this.fd;
    this.fd = openSync(this.path, 'a', 0o600);
    // A background fsync may still be using the old descriptor: it closes it when done.
    if (old >= 0) {
      if (this.syncing) this.retiring.push(old);
      else closeSync(old);
    }
    this.linesSinceCompaction = 0;
    this.dirty = false;
  }

  private syncInBackground(): void {
    if (!this.dirty || this.syncing || this.closed) return;
    this.dirty = false;
    this.syncing = true;
    const fd = this.fd;
    fsync(fd, () => {
      // An error here (the disk went away) is the table store's to report; the lines stay in the page cache.
      this.syncing = false;
      for (const old of this.retiring.splice(0)) closeSync(old);
    });
  }
}

function syncDirectory(file: string): void {
  const dir = file.slice(0, file.lastIndexOf('/')) || '/';
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
