/**
 * Starting a compute node: its table store, its mesh to the two peers (and the peer RPC over it),
 * and its HTTPS API. `startNode` is used three ways:
 *   - a node process (`node dist/src/node/main.js --config node.json`): TLS mesh, HTTPS API;
 *   - three nodes in one process (demo, tests): a MemoryMesh connector, or the parties of a
 *     `localTrio`, with the real store and the real API;
 *   - anything in between (a connector of one's own).
 */

import { DEFAULT_JOB_LIMITS, JobBoard, type JobLimits, type JobStepHook } from './jobs.js';
import { createHmac } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';
import { samePublicKey, decodePublicKey } from '../crypto/keys.js';
import type { Identity } from '../crypto/identity.js';
import { UsageError } from '../errors.js';
import type { Collaboration, NodeIndex } from '../governance/collaboration.js';
import { nextOf, type Party, type PartyId } from '../mpc/party.js';
import { ScratchPool } from '../mpc/scratch.js';
import { buildApi } from './api/app.js';
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_LIMITS, DEFAULT_TIMEOUTS, type HostPort, type LogLevel, type NodeLimits, type NodeTimeouts } from './config.js';
import type { BodyBudget } from './api/body-budget.js';
import { NodeContext } from './context.js';
import { ContributionIndex } from './contribution-index.js';
import { registerAppendHandlers } from './flows/append.js';
import { registerQueryHandlers } from './flows/query.js';
import { settleDerived } from './flows/store.js';
import { reconcileQueries } from './flows/query-outcome.js';
import { registerTableHandlers } from './flows/tables.js';
import { reconcileStaged, registerUploadHandlers } from './flows/upload.js';
import type { MeshConnector } from './mesh/connector.js';
import { MeshManager } from './mesh/mesh-manager.js';
import { TlsMeshConnector } from './mesh/tls-connector.js';
import { ReplayJournal } from './replay-journal.js';
import { ResultStore } from './results-store.js';
import { NodeGovernance } from './governance/node-governance.js';
import { registerScriptSyncHandlers, syncScriptsSoon } from './governance/script-sync.js';
import { PeerRpc } from './rpc.js';
import { TableStore, type TableLimits } from './storage.js';
import { startUpWarmUp, type WarmUpSetting, type WarmUpSummary } from './warm-up/start-up.js';

/** How long a stopping node waits for requests in flight before closing their connections. */
const CLOSE_GRACE_MS = 2_000;

/** How the node reaches its peers. */
export type MeshOption =
  /** An already connected Party (e.g. one of `localTrio().parties`); not re-established if lost. */
  | { readonly party: Party }
  /** A connector the node calls whenever it needs a mesh (e.g. `MemoryMesh.connector(i)`). */
  | { readonly connector: MeshConnector }
  /** Mutual TLS to the peers at the collaboration's `mpcAddress`es (PEM strings). */
  | { readonly tls: { readonly key: string; readonly cert: string; readonly ca: string; readonly listen: HostPort } };

export interface StartNodeOptions {
  readonly index: NodeIndex;
  readonly collaboration: Collaboration;
  /** The node's keys; its encryption key must be the one the collaboration lists for this node. */
  readonly identity: Identity;
  readonly dataDir: string;
  readonly mpc: MeshOption;
  /** Where the API listens (port 0: a free port, see `NodeHandle.apiUrl`); `tls` makes it HTTPS. */
  readonly api?: { readonly host?: string; readonly port?: number; readonly tls?: { readonly key: string; readonly cert: string } };
  readonly timeouts?: Partial<NodeTimeouts>;
  /** A pino logger, or the level and stream for one (default: info, to stdout). */
  readonly log?: Logger | { readonly level?: LogLevel; readonly destination?: DestinationStream };
  readonly bodyLimitBytes?: number;
  /** Bounds on the tables this node keeps (default DEFAULT_TABLE_LIMITS; docs/storage.md). */
  readonly tableLimits?: Partial<TableLimits>;
  readonly limits?: Partial<NodeLimits>;
  /** Job limits (default DEFAULT_JOB_LIMITS), and a hook called at each step of each job computed here (tests pause jobs with it). */
  readonly jobs?: Partial<JobLimits> & { readonly onStep?: JobStepHook };
  /** The start-up warm-up (warm-up/warm-up.ts), run before the node listens; off unless set (node processes: node.json "warmUp", default on). */
  readonly warmUp?: WarmUpSetting;
}

export interface NodeHandle {
  readonly index: NodeIndex;
  readonly name: string;
  /** The API's base URL as bound (e.g. https://127.0.0.1:41234). */
  readonly apiUrl: string;
  readonly apiPort: number;
  /** Whether the mesh to both peers is up now. */
  meshUp(): boolean;
  /** Resolves once the mesh is up (rejects with NodeUnavailableError after `timeoutMs`). */
  waitForMesh(timeoutMs?: number): Promise<void>;
  readonly log: Logger;
  /** The API's request-body budgets (what is held now, and the most ever held: docs/system.md, "Memory bounds"). */
  readonly bodyBudgets: { readonly uploads: BodyBudget; readonly smallBodies: BodyBudget };
  /** The start-up warm-up's duration, when it ran. */
  readonly warmUp?: WarmUpSummary;
  /** Stops the API, the mesh and the store (waiting for pending appends). */
  close(): Promise<void>;
}

/**
 * The secret the store's key is derived from: an HMAC of the node's private encryption key, so
 * that the data directory opens only with the node's key file, and no second secret file needs
 * managing. (Replacing the node's key therefore means re-uploading its shares.)
 */
export function nodeStorageSecret(identity: Identity): Buffer {
  const der = identity.encryptionPrivateKey.export({ format: 'der', type: 'pkcs8' });
  return createHmac('sha256', der).update('tessera/node-storage-secret/v1').digest();
}

export async function startNode(options: StartNodeOptions): Promise<NodeHandle> {
  const { index, collaboration, identity } = options;
  const nodeConfig = collaboration.node(index);
  if (!samePublicKey(identity.encryptionPublicKey, decodePublicKey(nodeConfig.encryptionKey, 'x25519', 'node encryption key'))) {
    throw new UsageError(`this identity's encryption key is not the one collaboration '${collaboration.id}' lists for node ${index} ('${nodeConfig.name}'): check the identity file and the node index`);
  }
  if (nodeConfig.signingKey !== undefined && !samePublicKey(identity.signingPublicKey, decodePublicKey(nodeConfig.signingKey, 'ed25519', 'node signing key'))) {
    throw new UsageError(`this identity's signing key is not the one collaboration '${collaboration.id}' lists for node ${index} ('${nodeConfig.name}')`);
  }
  const timeouts: NodeTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const log = makeLogger(options.log, nodeConfig.name, index);
  const describe = (p: PartyId): string => `node ${p} (${collaboration.node(p as NodeIndex).name})`;

  const store = await TableStore.open({ dataDir: options.dataDir, nodeSecret: nodeStorageSecret(identity), node: describe(index), ...(options.tableLimits ? { limits: options.tableLimits } : {}) });
  const results = await ResultStore.open(options.dataDir, index, describe);
  let replayJournal: ReplayJournal;
  try {
    replayJournal = ReplayJournal.open(options.dataDir, collaboration.nodes.length);
  } catch (error) {
    await store.close();
    throw error;
  }
  let governance: NodeGovernance;
  try {
    governance = await NodeGovernance.open(options.dataDir, collaboration, nodeConfig.name, identity.signingPrivateKey);
  } catch (error) {
    replayJournal.close();
    await store.close();
    throw error;
  }
  // After the store opened (a bad data directory fails at once), before the mesh and the API start.
  const warmedUp = await startUpWarmUp(options.warmUp, log);
  const reserve = warmedUp?.reserve;
  // The party's working memory lives with the node, filled from the warm-up's reserve: every mesh computes in it.
  const scratch = new ScratchPool(reserve);
  let ctx: NodeContext | undefined;
  let attemptsLogged = 0;
  const mesh = new MeshManager(
    { id: index, describe, connectTimeoutMs: timeouts.connectMs, scratch },
    {
      up: (_party, generation) => {
        attemptsLogged = 0;
        log.info({ generation }, 'mesh to both peers is up');
        if (ctx) {
          reconcileSoon(ctx, generation, 0);
          syncScriptsSoon(ctx, generation); // scripts and statements given to the others meanwhile
          // Pending queries whose decision this node missed: ask their coordinators now.
          const queries = ctx;
          void reconcileQueries(queries).catch((error: unknown) => queries.log.warn({ error: errorCode(error) }, 'could not settle pending queries'));
        }
      },
      down: (error, generation) => {
        log.warn({ generation, error: errorCode(error), reason: error.message }, 'mesh lost; reconnecting in the background');
        rpc.meshDown(generation, error, mesh.lostPeer);
      },
      control: (from, payload, generation) => rpc.receive(from, payload, generation),
      attemptFailed: (error) => {
        // The first failure is news; the retries every few seconds are not.
        if (attemptsLogged++ === 0) log.warn({ error: errorCode(error), reason: error.message }, 'cannot set up the mesh yet; retrying');
        else log.debug({ error: errorCode(error) }, 'mesh attempt failed');
      },
    },
  );
  const rpc = new PeerRpc(mesh, {
    describe,
    timeoutMs: timeouts.rpcMs,
    onHandlerBug: (method, error) => log.error({ method, errorType: (error as Error)?.name, stack: (error as Error)?.stack?.split('\n').slice(1, 8).join('\n') }, 'peer request failed unexpectedly'),
  });
  ctx = new NodeContext({ index, collaboration, identity, store, mesh, rpc, results, contributions: new ContributionIndex(store), governance, timeouts, log, ...(warmedUp ? { warmUp: warmedUp.summary } : {}), ...(reserve ? { reserve } : {}), nonces: (audience) => replayJournal.store(audience), jobs: new JobBoard({ ...DEFAULT_JOB_LIMITS, ...jobLimitsOf(options.jobs) }, options.jobs?.onStep) });
  registerTableHandlers(ctx);
  registerUploadHandlers(ctx);
  registerAppendHandlers(ctx);
  registerQueryHandlers(ctx);
  registerScriptSyncHandlers(ctx);
  // Derived tables follow their queries' decisions: those decided while the node was down (or at
  // its start, results-store.ts) now, every later one as it is recorded (flows/store.ts).
  const decided = ctx;
  results.onDecided = (query) => settleDerived(decided, query);
  await settleDerived(ctx);

  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const limits: NodeLimits = { ...DEFAULT_LIMITS, bodyBytesInFlight: Math.max(DEFAULT_LIMITS.bodyBytesInFlight, bodyLimitBytes), ...options.limits };
  const { app: api, budgets } = await buildApi(ctx, { bodyLimitBytes, limits, timeouts, ...(options.api?.tls ? { https: options.api.tls } : {}) });
  const host = options.api?.host ?? '127.0.0.1';
  try {
    await api.listen({ host, port: options.api?.port ?? 0 });
  } catch (error) {
    await api.close().catch(() => undefined);
    replayJournal.close();
    await governance.close();
    await store.close();
    throw new UsageError(`node ${index} cannot listen for its API on ${host}:${options.api?.port ?? 0}: ${(error as Error).message}`);
  }
  const address = api.server.address();
  const apiPort = typeof address === 'object' && address ? address.port : 0;
  const apiUrl = `${options.api?.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${apiPort}`;

  const mpc = options.mpc;
  if ('party' in mpc) {
    if (mpc.party.id !== index) throw new UsageError(`node ${index} was given party ${mpc.party.id}`);
    mesh.adopt(mpc.party);
  } else if ('connector' in mpc) {
    mesh.start(mpc.connector);
  } else {
    if (mpc.tls.listen.port === 0) throw new UsageError('the MPC listen port must be fixed: the peers find it through the collaboration file');
    const next = nextOf(index);
    const peerFingerprints = { [next]: collaboration.node(next).tlsCertificateFingerprint, [nextOf(next)]: collaboration.node(nextOf(next)).tlsCertificateFingerprint };
    mesh.start(
      new TlsMeshConnector({
        party: index,
        key: mpc.tls.key,
        cert: mpc.tls.cert,
        ca: mpc.tls.ca,
        peerFingerprints,
        listen: mpc.tls.listen,
        next: parseHostPort(collaboration.node(next).mpcAddress),
        connectTimeoutMs: timeouts.connectMs,
        ...(reserve ? { reserve } : {}),
      }),
    );
  }
  log.info({ api: apiUrl, collaboration: collaboration.id, tables: store.tableCount }, 'node started');
  for (const { name, damage } of store.damagedTables()) log.warn({ table: name, file: damage.file, reason: damage.reason }, 'table damaged at this node: listed as damaged, never used; its owner can delete it');

  let closing: Promise<void> | undefined;
  return {
    index,
    name: nodeConfig.name,
    apiUrl,
    apiPort,
    meshUp: () => mesh.isUp,
    waitForMesh: (timeoutMs = timeouts.connectMs) => mesh.waitUntilUp(timeoutMs),
    log,
    bodyBudgets: budgets,
    ...(warmedUp ? { warmUp: warmedUp.summary } : {}),
    close: () => {
      closing ??= (async () => {
        // Requests in flight get a moment to finish; then every connection is closed, so that a
        // client holding an idle or half-sent connection cannot keep the node from stopping
        // (Node's headersTimeout would otherwise hold it for a minute).
        const grace = setTimeout(() => api.server.closeAllConnections(), CLOSE_GRACE_MS);
        // Jobs stop first and record nothing: their records stay running, so the restart fails them.
        const jobsEnded = ctx!.jobs.close(CLOSE_GRACE_MS);
        await api.close();
        clearTimeout(grace);
        await mesh.close();
        await jobsEnded;
        replayJournal.close();
        await governance.close();
        await store.close();
        log.info('node stopped');
      })();
      return closing;
    },
  };
}

/**
 * Settles uploads left staged by an earlier mesh; retried a few times while this mesh lasts
 * (a peer may still be settling its own).
 */
function reconcileSoon(ctx: NodeContext, generation: number, attempt: number): void {
  reconcileStaged(ctx, generation).catch((error: unknown) => {
    if (ctx.mesh.generation !== generation || !ctx.mesh.isUp) return; // the next mesh starts over
    if (attempt >= 5) {
      ctx.log.warn({ error: errorCode(error) }, 'could not settle staged uploads; will try again when the mesh is next set up');
      return;
    }
    setTimeout(() => reconcileSoon(ctx, generation, attempt + 1), 200 * 2 ** attempt).unref();
  });
}

function jobLimitsOf(option: StartNodeOptions['jobs']): Partial<JobLimits> {
  return { ...(option?.concurrent !== undefined ? { concurrent: option.concurrent } : {}), ...(option?.queued !== undefined ? { queued: option.queued } : {}) };
}

function makeLogger(option: StartNodeOptions['log'], name: string, index: number): Logger {
  if (option && 'info' in option && typeof option.info === 'function') return (option as Logger).child({ node: name });
  const o = (option ?? {}) as { level?: LogLevel; destination?: DestinationStream };
  const base = { node: name, index };
  return o.destination ? pino({ level: o.level ?? 'info', base }, o.destination) : pino({ level: o.level ?? 'info', base });
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

export function parseHostPort(text: string): HostPort {
  const i = text.lastIndexOf(':');
  return { host: text.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(text.slice(i + 1)) };
}
