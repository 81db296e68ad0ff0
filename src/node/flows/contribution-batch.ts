/**
 * Contributions travel from their coordinator to each peer in batches: all those that arrive
 * while the event loop is busy go in one peer message (one frame, one TLS write) instead of one
 * message each, which was a large share of the CPU a contribution cost. Each item still gets
 * its own outcome, and each peer checks each item on its own.
 *
 * Peer message 'append.contributeBatch':
 *   body  { tables: [name per item], replaces: [submission id or null per item] }
 *   parts [header 0, envelope 0, header 1, envelope 1, ...]
 * where header k is the contribution frame's JSON header as the client sent it (forwarded as
 * bytes, not re-encoded, so every node hashes the same bytes) and envelope k the envelope sealed
 * to that peer; `replaces` names the submission the item may replace (contribution-index.ts).
 * Answer:
 *   body  { results: [{ outcome } | { error: { code, message } } per item] }
 */

import { errorFromWire, FormatError, TesseraError } from '../../errors.js';
import type { PartyId } from '../../mpc/party.js';
import type { AppendOutcome } from '../contribution-index.js';
import type { NodeContext } from '../context.js';
import { checkTableName } from '../storage/names.js';

/** Contributions per peer message at most (two parts each; wire/frames.ts MAX_PEER_MESSAGE_PARTS). */
const MAX_BATCH = 1024;

type BatchResult = { outcome: AppendOutcome } | { error: { code: string; message: string } };

interface Item {
  readonly table: string;
  readonly replaces: string | null;
  readonly header: Uint8Array;
  readonly envelope: Uint8Array;
  resolve(o: AppendOutcome): void;
  reject(e: Error): void;
}

class ContributionForwarder {
  private readonly queues = new Map<PartyId, { generation: number; items: Item[] }>();

  constructor(private readonly ctx: NodeContext) {}

  forward(peer: PartyId, table: string, header: Uint8Array, envelope: Uint8Array, generation: number, replaces: string | null): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(peer);
      if (queue && queue.generation !== generation) {
        this.flush(peer);
        queue = undefined;
      }
      if (!queue) {
        queue = { generation, items: [] };
        this.queues.set(peer, queue);
        setImmediate(() => this.flush(peer));
      }
      queue.items.push({ table, replaces, header, envelope, resolve, reject });
      if (queue.items.length >= MAX_BATCH) this.flush(peer);
    });
  }

  private flush(peer: PartyId): void {
    const queue = this.queues.get(peer);
    if (!queue || queue.items.length === 0) return;
    this.queues.delete(peer);
    const items = queue.items;
    this.ctx.rpc
      .call(peer, 'append.contributeBatch', { tables: items.map((i) => i.table), replaces: items.map((i) => i.replaces) }, items.flatMap((i) => [i.header, i.envelope]), { generation: queue.generation })
      .then(
        (reply) => {
          const results = (reply.body as { results?: BatchResult[] }).results ?? [];
          items.forEach((item, k) => {
            const r = results[k];
            if (r && 'outcome' in r && isOutcome(r.outcome)) item.resolve(r.outcome);
            else if (r && 'error' in r) item.reject(errorFromWire(r.error.code, r.error.message));
            else item.reject(errorFromWire('PROTOCOL', `${this.ctx.describe(peer)} gave no valid answer for this contribution`));
          });
        },
        (error: Error) => items.forEach((item) => item.reject(error)),
      );
  }
}

const forwarders = new WeakMap<NodeContext, ContributionForwarder>();

function isOutcome(o: unknown): o is AppendOutcome {
  const x = o as Partial<{ status: unknown; submission: unknown }> | null;
  if (!x || typeof x !== 'object') return false;
  return x.status === 'stored' || x.status === 'already-stored' || (x.status === 'held' && typeof x.submission === 'string');
}

/**
 * Sends one contribution's header and envelope to `peer` in the next batch (with the submission
 * it may replace there, if any); resolves with the peer's outcome.
 */
export function forwardContribution(ctx: NodeContext, peer: PartyId, table: string, header: Uint8Array, envelope: Uint8Array, generation: number, replaces: string | null = null): Promise<AppendOutcome> {
  let f = forwarders.get(ctx);
  if (!f) {
    f = new ContributionForwarder(ctx);
    forwarders.set(ctx, f);
  }
  return f.forward(peer, table, header, envelope, generation, replaces);
}

/** The peer's side: every item checked and stored by `contribute`, each with its own outcome. */
export function registerContributionBatchHandler(
  ctx: NodeContext,
  contribute: (table: string, headerBytes: Uint8Array, header: unknown, envelope: Uint8Array, replaces: string | null) => Promise<AppendOutcome>,
): void {
  ctx.rpc.handle('append.contributeBatch', async ({ body, parts }) => {
    const { tables, replaces } = body as { tables?: unknown; replaces?: unknown };
    if (!Array.isArray(tables) || parts.length !== 2 * tables.length) throw new FormatError('a batch of contributions has a header and an envelope per item');
    if (!Array.isArray(replaces) || replaces.length !== tables.length || replaces.some((r) => r !== null && typeof r !== 'string')) {
      throw new FormatError('a batch of contributions names, per item, the submission it may replace (or null)');
    }
    const settled = await Promise.allSettled(
      tables.map(async (table: unknown, k) => {
        let header: unknown;
        try {
          header = JSON.parse(Buffer.from(parts[2 * k].buffer, parts[2 * k].byteOffset, parts[2 * k].byteLength).toString('utf8'));
        } catch {
          throw new FormatError('a forwarded contribution header is not JSON');
        }
        return contribute(checkTableName(table), parts[2 * k], header, parts[2 * k + 1], replaces[k] as string | null);
      }),
    );
    const results: BatchResult[] = settled.map((s) =>
      s.status === 'fulfilled'
        ? { outcome: s.value }
        : { error: s.reason instanceof TesseraError ? { code: s.reason.code, message: s.reason.message } : { code: 'INTERNAL', message: 'internal error at the peer node (see its log)' } },
    );
    return { body: { results } };
  });
}
