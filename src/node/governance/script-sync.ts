/**
 * Scripts, approvals and revocations reach every node (docs/governance.md, "Approvals and
 * revocations"), whichever node a client gave them to and whichever node was down meanwhile:
 *
 *   - push: a node that accepts something new from a client forwards it to both peers at once
 *     (when the mesh is up);
 *   - pull: when the mesh comes up (a node returns) and before an admission would refuse for an
 *     unknown script or missing approvals, a node asks its peers what they hold and fetches what
 *     it lacks.
 *
 * A peer is trusted for nothing here: every script is validated against the collaboration and
 * every statement verified under its representative's key by the receiving node, exactly as if
 * a client had sent it (a script in an analyst's name is harmless: only that analyst may run it,
 * and only with the approvals). Whatever a node learns this way is audited with `by: "<peer> (sync)"`.
 */

import type { SignedStatement } from '../../crypto/signed.js';
import { FormatError } from '../../errors.js';
import type { ApprovalKind } from '../../governance/approval.js';
import type { PartyId } from '../../mpc/party.js';
import type { NodeContext } from '../context.js';
import type { ScriptEntry } from './script-book.js';

/** A script as nodes exchange it: the script and every statement about it. */
interface SyncEntry {
  readonly script: unknown;
  readonly approvals: readonly SignedStatement[];
  readonly revocations: readonly SignedStatement[];
}

/** What a node holds of one script: the hashes of its statements. */
interface IndexEntry {
  readonly hash: string;
  readonly statements: readonly string[];
}

/** Scripts fetched per request (each well under the frame limits). */
const FETCH_BATCH = 100;

function entryOf(e: ScriptEntry): SyncEntry {
  return { script: e.script, approvals: [...e.approvals.values()].map((a) => a.statement), revocations: [...e.revoked.values()].map((a) => a.statement) };
}

function indexOf(e: ScriptEntry): IndexEntry {
  return { hash: e.hash, statements: [...e.approvals.values(), ...e.revoked.values()].map((a) => a.hash).sort() };
}

const json = (value: unknown): Uint8Array[] => [Buffer.from(JSON.stringify(value))];
const parsed = <T>(parts: readonly Uint8Array[]): T => {
  if (parts.length !== 1) throw new FormatError('a governance sync reply carries one part');
  return JSON.parse(Buffer.from(parts[0]).toString('utf8')) as T;
};

/** Merges what a peer sent: each script and statement checked here; returns how many were new. */
async function merge(ctx: NodeContext, entries: readonly SyncEntry[], from: PartyId): Promise<number> {
  const by = `${ctx.describe(from)} (sync)`;
  let added = 0;
  for (const e of entries) {
    try {
      const { hash, created } = await ctx.governance.book.register(e.script);
      if (created) {
        added += 1;
        await ctx.governance.log.append('script', { script: hash, by });
      }
      const statements: [ApprovalKind, SignedStatement][] = [...e.approvals.map((s): [ApprovalKind, SignedStatement] => ['approval', s]), ...e.revocations.map((s): [ApprovalKind, SignedStatement] => ['revocation', s])];
      for (const [kind, statement] of statements) {
        const { verified, added: isNew } = await ctx.governance.book.addStatement(kind, statement, hash);
        if (isNew) {
          added += 1;
          await ctx.governance.log.append(kind, { script: hash, approver: verified.approver, statement: verified.hash, by });
        }
      }
    } catch (error) {
      // One bad entry (a peer's bug or malice) does not keep the others out.
      ctx.log.warn({ from, reason: (error as Error).message }, 'refused a script or statement from a peer');
    }
  }
  return added;
}

/** Sends one script (with its statements) to both peers; a peer that cannot be reached pulls it when the mesh is next up. */
export async function pushToPeers(ctx: NodeContext, hash: string): Promise<void> {
  const entry = ctx.governance.book.get(hash);
  if (!entry || !ctx.mesh.isUp) return;
  await Promise.allSettled(ctx.peers.map((p) => ctx.rpc.call(p, 'governance.sync', {}, json([entryOf(entry)]))));
}

/** Fetches from both peers what they hold and this node lacks (of `only`, or of every script); returns how many were new. */
export async function pullFromPeers(ctx: NodeContext, only?: readonly string[]): Promise<number> {
  if (!ctx.mesh.isUp) return 0;
  let added = 0;
  await Promise.allSettled(
    ctx.peers.map(async (p) => {
      const index = parsed<IndexEntry[]>((await ctx.rpc.call(p, 'governance.index', only ? { only } : {})).parts);
      const missing = index.filter((i) => {
        const mine = ctx.governance.book.get(i.hash);
        if (!mine) return true;
        const have = new Set(indexOf(mine).statements);
        return i.statements.some((s) => !have.has(s));
      }).map((i) => i.hash);
      for (let at = 0; at < missing.length; at += FETCH_BATCH) {
        const entries = parsed<SyncEntry[]>((await ctx.rpc.call(p, 'governance.entries', { hashes: missing.slice(at, at + FETCH_BATCH) })).parts);
        added += await merge(ctx, entries, p);
      }
    }),
  );
  return added;
}

/** At mesh-up: the whole book, retried a few times while this mesh lasts. */
export function syncScriptsSoon(ctx: NodeContext, generation: number, attempt = 0): void {
  pullFromPeers(ctx).then(
    (added) => {
      if (added > 0) ctx.log.info({ added }, 'scripts and statements received from the peers');
    },
    (error: unknown) => {
      if (ctx.mesh.generation !== generation || !ctx.mesh.isUp || attempt >= 5) return;
      ctx.log.debug({ reason: (error as Error).message }, 'script sync failed; retrying');
      setTimeout(() => syncScriptsSoon(ctx, generation, attempt + 1), 200 * 2 ** attempt).unref();
    },
  );
}

export function registerScriptSyncHandlers(ctx: NodeContext): void {
  ctx.rpc.handle('governance.sync', async ({ from, parts }) => ({ body: { added: await merge(ctx, parsed<SyncEntry[]>(parts), from) } }));
  ctx.rpc.handle('governance.index', async ({ body }) => {
    const only = (body as { only?: unknown }).only;
    const entries = Array.isArray(only) ? only.flatMap((h) => (typeof h === 'string' && ctx.governance.book.get(h) ? [ctx.governance.book.get(h)!] : [])) : ctx.governance.book.list();
    return { body: {}, parts: json(entries.map(indexOf)) };
  });
  ctx.rpc.handle('governance.entries', async ({ body }) => {
    const hashes = (body as { hashes?: unknown }).hashes;
    if (!Array.isArray(hashes) || hashes.length > FETCH_BATCH) throw new FormatError(`ask for at most ${FETCH_BATCH} scripts at once`);
    return { body: {}, parts: json(hashes.flatMap((h) => (typeof h === 'string' && ctx.governance.book.get(h) ? [entryOf(ctx.governance.book.get(h)!)] : []))) };
  });
}
