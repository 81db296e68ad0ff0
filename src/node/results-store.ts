/**
 * This node's record of each query it took part in: its phase, its public facts and, once
 * computed, its share sealed to every recipient. Nothing here can be read by the node itself,
 * so the records are plain files (written atomically) in `<data dir>/results/`.
 *
 * Phases (docs/system.md, "Query states"):
 *   running    the query was admitted here and is being computed;
 *   pending    this node computed and sealed its share, and told the coordinator so; it does not
 *              serve the share until it hears the coordinator's decision;
 *   committed  the coordinator decided the query completed at all three nodes: the share is served;
 *   failed     decided failed: the shares are deleted and the reason kept.
 * The only transitions are running → pending → committed, and running | pending → failed (a
 * failed query may get a better reason). Everything else is refused: a committed query never
 * becomes failed and a failed one never committed, whatever order messages and restarts come in.
 */

import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProtocolError, ResultNotFoundError, StorageCorruptionError } from '../errors.js';
import { isErrnoException, writeFileAtomic } from '../io/durable-file.js';
import type { PartyId } from '../mpc/party.js';
import type { QueryInfo } from '../wire/api.js';
import { RecordCache } from './record-cache.js';

const FORMAT = 'tessera-query-record/v2';
/** Records of the first version: kept by each node on its own, before queries had a decided state. */
const FORMAT_V1 = 'tessera-result-record/v1';
export const QUERY_ID = /^q-[0-9a-f]{24}$/;

export type QueryPhase = 'running' | 'pending' | 'committed' | 'failed';

/** Who may ask about a query: known from its signed request before anything is computed. */
export interface QueryAccess {
  readonly requestedBy: string;
  readonly recipients: readonly string[];
}

export interface QueryRecord {
  readonly format: typeof FORMAT;
  readonly query: string;
  /** The node that assigned the id and decides the outcome. */
  readonly coordinator: PartyId;
  readonly phase: QueryPhase;
  readonly access?: QueryAccess;
  /** Public facts, once computed (pending and committed, and failed queries that got that far). */
  readonly info?: QueryInfo;
  /** Recipient name → this node's sealed share, base64: pending and committed only. */
  readonly envelopes?: Readonly<Record<string, string>>;
  /** Why it failed (failed only). */
  readonly reason?: string;
  /** The failure is the coordinator's decision (its reason), not only this node's own finding. */
  readonly decided?: boolean;
}

export class ResultStore {
  /**
   * Queries of other coordinators whose decision this node has yet to hear (pending, or failed
   * here for a reason of its own): kept in memory, to ask once the mesh is up.
   */
  private readonly waiting = new Set<string>();
  /** Per query, the end of the chain of transitions under way (one at a time per query). */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Records written or read last, parsed (record-cache.ts: 8 records, 64 MB of shares). */
  private readonly cache = new RecordCache(8, 64 * 2 ** 20);
  /**
   * Writes begun or ended so far, and those under way: a load that overlapped a write (it may
   * have read the old file, and may end after the write cached the new record) caches nothing.
   */
  private writeEvents = 0;
  private writing = 0;
  /**
   * Told after a query is committed or failed here (also again, when nothing changed): the node
   * settles what follows the decision (a derived table, node/flows/store.ts). Must not throw.
   */
  onDecided: ((query: string) => Promise<void>) | undefined;

  private constructor(
    private readonly dir: string,
    private readonly me: PartyId,
  ) {}

  /**
   * Opens the store after a start: a query still running here was cut off by the restart (this
   * node never reported it computed, so it cannot have been committed) and fails; so does a
   * pending query this node coordinated (it never wrote the commit, so it never decided it).
   * A pending query of another coordinator stays pending: only its coordinator can tell.
   */
  static async open(dataDir: string, me: PartyId, describe: (p: PartyId) => string): Promise<ResultStore> {
    const dir = join(dataDir, 'results');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const store = new ResultStore(dir, me);
    for (const file of await readdir(dir)) {
      const query = file.replace(/\.json$/, '');
      if (!file.endsWith('.json') || !QUERY_ID.test(query)) continue;
      // A damaged record is reported when its query is asked for; it does not stop the node.
      const record = await store.load(query).catch(() => undefined);
      if (!record) continue;
      if (record.phase === 'running' || (record.phase === 'pending' && record.coordinator === me)) {
        const role = record.coordinator === me ? 'which coordinated it' : 'which computed a share of it';
        await store.fail(query, record.coordinator, `${describe(me)}, ${role}, restarted during the job (before the query completed at every node), so it has no result; run the query again`);
      } else if (store.awaitsDecision(record)) {
        store.waiting.add(query);
      }
    }
    return store;
  }

  /** Queries whose coordinator's decision is to be asked for (see `waiting`). */
  queriesToAsk(): string[] {
    return [...this.waiting];
  }

  /** Whether `record` still waits for its coordinator's decision. */
  awaitsDecision(record: QueryRecord): boolean {
    return record.coordinator !== this.me && (record.phase === 'pending' || (record.phase === 'failed' && record.decided !== true));
  }

  /** A new query, admitted here: `running`. Refused if this node has seen the id before. */
  begin(query: string, coordinator: PartyId, access: QueryAccess): Promise<void> {
    return this.transition(query, async (record) => {
      if (record) throw new ProtocolError(`query ${query} was already seen at this node (${record.phase}); a query id is never reused`);
      await this.write({ format: FORMAT, query, coordinator, phase: 'running', access });
    });
  }

  /** Computed and sealed here: `pending`. Refused if the query was failed meanwhile. */
  prepare(query: string, info: QueryInfo, envelopes: Readonly<Record<string, string>>): Promise<void> {
    return this.transition(query, async (record) => {
      if (record?.phase !== 'running') throw new ProtocolError(`query ${query} cannot be completed at this node: it is ${record ? record.phase : 'unknown here'}${record?.reason ? ` (${record.reason})` : ''}`);
      await this.write({ ...record, phase: 'pending', info, envelopes });
      if (record.coordinator !== this.me) this.waiting.add(query);
    });
  }

  /** The coordinator decided it completed: `committed` (again: no change). */
  async commit(query: string): Promise<void> {
    await this.transition(query, async (record) => {
      if (record?.phase === 'committed') return;
      if (record?.phase !== 'pending') throw new ProtocolError(`query ${query} cannot be committed at this node: it is ${record ? record.phase : 'unknown here'}`);
      await this.write({ ...record, phase: 'committed' });
      this.waiting.delete(query);
    });
    await this.onDecided?.(query);
  }

  /**
   * Failed: `failed`, the shares deleted. A query unknown here is recorded failed too (so that
   * this node answers with the reason). Refused for a committed query. `decided` marks the
   * coordinator's reason, which replaces a reason this node recorded on its own.
   */
  async fail(query: string, coordinator: PartyId, reason: string, options: { readonly access?: QueryAccess; readonly decided?: boolean } = {}): Promise<void> {
    await this.transition(query, async (record) => {
      if (record?.phase === 'committed') throw new ProtocolError(`query ${query} completed at every node and cannot be failed now`);
      if (record?.phase === 'failed' && (record.decided === true || !options.decided) && record.reason !== undefined) return;
      const access = record?.access ?? options.access;
      const failed: QueryRecord = {
        format: FORMAT,
        query,
        coordinator: record?.coordinator ?? coordinator,
        phase: 'failed',
        ...(access ? { access } : {}),
        ...(record?.info ? { info: record.info } : {}),
        reason,
        ...(options.decided || (record?.coordinator ?? coordinator) === this.me ? { decided: true } : {}),
      };
      await this.write(failed);
      if (this.awaitsDecision(failed)) this.waiting.add(query);
      else this.waiting.delete(query);
    });
    await this.onDecided?.(query);
  }

  /** This node's record of `query`, or undefined if it has none. */
  async load(query: string): Promise<QueryRecord | undefined> {
    if (!QUERY_ID.test(query)) throw new ResultNotFoundError(`'${query}' is not a query id (they look like q-0123456789abcdef01234567)`);
    const cached = this.cache.get(query);
    if (cached) return cached;
    const eventsBefore = this.writeEvents;
    const quiet = this.writing === 0;
    let text: string;
    try {
      text = await readFile(this.file(query), 'utf8');
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
      throw error;
    }
    const record = parseRecord(query, text);
    if (quiet && this.writing === 0 && this.writeEvents === eventsBefore) this.cache.set(record);
    return record;
  }

  private transition(query: string, step: (record: QueryRecord | undefined) => Promise<void>): Promise<void> {
    const previous = this.locks.get(query) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => step(await this.load(query)));
    this.locks.set(query, next);
    const cleanup = (): void => {
      if (this.locks.get(query) === next) this.locks.delete(query);
    };
    next.then(cleanup, cleanup);
    return next;
  }

  private async write(record: QueryRecord): Promise<void> {
    this.writeEvents++;
    this.writing++;
    this.cache.drop(record.query);
    try {
      await writeFileAtomic(this.file(record.query), Buffer.from(JSON.stringify(record)));
      this.cache.set(record);
    } finally {
      this.writing--;
      this.writeEvents++;
    }
  }

  private file(query: string): string {
    return join(this.dir, `${query}.json`);
  }
}

function parseRecord(query: string, text: string): QueryRecord {
  let record: Omit<Partial<QueryRecord>, 'format'> & { format?: string };
  try {
    record = JSON.parse(text) as typeof record;
  } catch {
    throw new StorageCorruptionError(query, `results/${query}.json`, 'not a query record');
  }
  if (record.format === FORMAT_V1 && record.info) {
    // Each node kept these on its own, even for queries reported failed: none can be trusted.
    return {
      format: FORMAT,
      query,
      coordinator: 0,
      phase: 'failed',
      access: { requestedBy: record.info.requestedBy, recipients: record.info.recipients },
      info: record.info,
      reason: 'it was kept by an earlier version of Tessera, which did not confirm that the query completed at every node; run the query again',
    };
  }
  const phases: readonly unknown[] = ['running', 'pending', 'committed', 'failed'];
  if (record.format !== FORMAT || record.query !== query || !phases.includes(record.phase) || ![0, 1, 2].includes(record.coordinator as number)) {
    throw new StorageCorruptionError(query, `results/${query}.json`, 'not a query record');
  }
  return record as QueryRecord;
}
