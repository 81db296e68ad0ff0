/**
 * The client SDK: one object per party (or contributor) and node.
 *
 *   const t = await Tessera.connect({ collaboration: 'collaboration.json', identity: 'me.key.json', node: 0, ca: 'ca.pem' });
 *   await t.uploadTable('patients', { file: 'patients.csv' }, { columns: { age: { type: 'integer', min: 0, max: 120 } } });
 *   const q = await t.sum({ column: 'age', recipients: ['St. Mary Hospital'] }); // submitted: runs as a job
 *   const { value } = await q.result(); // waits for the job, then opens the result
 *
 * Shares are made on this machine and sealed to each node's key; results are opened here. Every
 * request except contributions is signed with the party's key; the node's certificate is pinned.
 */

import type { PrivacySpec } from '../privacy/spec.js';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { EnvelopeSession } from '../crypto/envelope-session.js';
import { loadIdentity, publicIdentity, type Identity } from '../crypto/identity.js';
import { samePublicKey, decodePublicKey } from '../crypto/keys.js';
import type { SignedStatement } from '../crypto/signed.js';
import { ContributionConflictError, CredentialError, IntegrityError, NodeUnavailableError, PermissionDeniedError, QueryError, QueryPendingError, SqlError, UnknownPartyError, UsageError } from '../errors.js';
import { planHash, type Plan } from '../plan/plan.js';
import type { ApprovalKind } from '../governance/approval.js';
import type { Receipt, ResultFile } from '../governance/receipt.js';
import { scriptHash, type Script } from '../governance/script.js';
import { listDesignTables, uploadDummyTable } from './design-client.js';
import type { DesignTableInfo } from '../wire/design-routes.js';
import { GOVERNANCE_ROUTES } from '../wire/governance-routes.js';
import { ScriptRecorder, resultWithReceipt, sendStatement, submitScript, type RecordOptions } from './governance-client.js';
import type { ResultTable } from './result.js';
import { aggregateNames, findAggregate } from '../plan/registry.js';
import { Collaboration, type NodeConfig, type NodeIndex, type PartyConfig, type Role } from '../governance/collaboration.js';
import { parseSchema, schemaToJson, type TableSchema, type TableSchemaJson } from '../table/schema.js';
import {
  CREDENTIAL_HEADER,
  ROUTES,
  type AppendTableSchemaResponse,
  type ContributionResponse,
  type HealthResponse,
  isDamagedTable,
  type PlanCheckResponse,
  type ListedTable,
  type QueryInfo,
  type QueryStatus,
  type QuerySubmitted,
  type TableInfo,
} from '../wire/api.js';
import { issueCredential, issueCredentialBatch } from '../wire/credential.js';
import { buildContributionFrame, credentialHeaderValue, encodeContributionRow, newSubmissionId, resolveCredential, type ContributionValues, type Credential, type ResolvedCredential } from './contribution.js';
import { aggregate as aggregateOf } from './aggregates.js';
import type { ReadTableOptions } from './declarations.js';
import { scanFrame, type FrameRunner, type LazyFrame } from './frame.js';
import type { InMemoryColumns } from './memory-reader.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, NodeConnection } from './node-connection.js';
import { readTable } from './read-table.js';
import { openResult, type QueryResult } from './result.js';
import { collectResultShares } from './result-shares.js';
import { sqlToFrame, type SqlOptions } from './sql/sql-frame.js';
import { parseCreateTableAs } from './sql/create-table-as.js';
import { storeHandle, type StoreHandle } from './store-handle.js';
import { waitForQuery, waitWhileComputing, type WaitOptions } from './job-wait.js';
import { buildUploadFrame } from './upload-frame.js';

export type { Credential } from './contribution.js';

/** How long `result()` waits for the peers of a decided query to hear the decision. */
const RESULT_DECISION_WAIT_MS = 10_000;

export interface ConnectOptions {
  /** The collaboration (or the path of its file). */
  readonly collaboration: Collaboration | string;
  /** This party's keys (or the path of its key file). Contributors, who are not parties, leave it out. */
  readonly identity?: Identity | string;
  /** The node to talk to: its index or name (default 0). Any node will do; data is sealed to each node anyway. */
  readonly node?: number | string;
  /** The cluster CA (PEM text or file path). The node's certificate is pinned either way. */
  readonly ca?: string;
  /** The collaboration's identifier key, for tables with identifier columns. */
  readonly identifierKey?: Uint8Array;
  /** Per request (default 10 minutes: uploads of millions of rows take a while). */
  readonly timeoutMs?: number;
  /**
   * How long connecting may take: the TCP and TLS handshakes, and the health check of `check`
   * (default 30 s, never more than timeoutMs). A node that accepts the connection but never
   * answers (stopped, stuck) fails the connect with NodeUnavailableError after this, not after timeoutMs.
   */
  readonly connectTimeoutMs?: number;
  /** Ask the node's health first and check it runs this collaboration (default true). */
  readonly check?: boolean;
}

export interface UploadOptions extends ReadTableOptions {
  /** A full schema instead of per-column declarations: exactly these columns, in this order. */
  readonly schema?: TableSchemaJson;
}

export interface QueryOptions extends WaitOptions {
  /** Column to aggregate (count without a column counts rows). */
  readonly column?: string;
  /** Tables to include; default: every table that has the column. */
  readonly tables?: readonly string[];
  /** Parties (with the output role) who may open the result. */
  readonly recipients: readonly string[];
  /** Differentially private noise on the result (docs/statistics.md, "Differential privacy"). */
  readonly privacy?: PrivacySpec;
  /** quantile's p in [0, 1]. */
  readonly p?: number;
  /** corr's and covar_samp's second column (tables must have both columns). */
  readonly other?: string;
}

/**
 * A query submitted as a job (docs/system.md, "Jobs"): it runs at the three nodes while the
 * caller does something else. `wait` and `result` wait for it (asking its state with backoff,
 * telling `onProgress` every step); `cancel` stops it at all three nodes.
 */
export interface QueryHandle {
  readonly id: string;
  /** What the node answered when it admitted the query (`queued` or `running`, and the plan's id). */
  readonly submitted: QuerySubmitted;
  /** The query's state now, with its job's step and elapsed time while it runs. */
  status(): Promise<QueryStatus>;
  /** Waits until it is decided: its public facts when done; QueryFailedError with the reason when it failed. */
  wait(): Promise<QueryInfo & { readonly state: 'done' }>;
  /** Waits, then fetches, opens, cross-checks and decodes the result; only recipients can. */
  result(): Promise<QueryResult>;
  /** Cancels it at all three nodes (its requester only): it fails with the reason `cancelled by <party>`. */
  cancel(): Promise<QueryStatus>;
}

export class Tessera implements FrameRunner {
  private readonly schemas = new Map<string, TableSchema>();
  /** Record mode (docs/governance.md): plans are collected into a script instead of run. */
  private recorder: ScriptRecorder | undefined;
  /** The approved script whose steps `run` submits (production mode). */
  private activeScript: string | undefined;
  /** Design mode (docs/governance.md): queries run on the dummy tables, never on real ones. */
  private designMode = false;
  /** One key agreement per node for many contributions (crypto/envelope-session.ts). */
  private readonly envelopes = new EnvelopeSession();

  private constructor(
    readonly collaboration: Collaboration,
    private readonly identity: Identity | undefined,
    readonly party: PartyConfig | undefined,
    readonly node: NodeConfig,
    private readonly connection: NodeConnection,
    private readonly identifierKey: Uint8Array | undefined,
    /** A connection to another node of the cluster (to fetch result shares node by node). */
    private readonly connectTo: (node: NodeConfig) => NodeConnection,
  ) {}

  static async connect(options: ConnectOptions): Promise<Tessera> {
    const collaboration = typeof options.collaboration === 'string' ? await Collaboration.load(options.collaboration) : options.collaboration;
    const identity = typeof options.identity === 'string' ? await loadIdentity(options.identity) : options.identity;
    let party: PartyConfig | undefined;
    if (identity) {
      party = collaboration.partyBySigningKey(identity.signingPublicKey);
      if (!party) {
        throw new UnknownPartyError(
          `the key of '${identity.name}' (fingerprint ${publicIdentity(identity).fingerprint}) is not a party of collaboration '${collaboration.id}': ask its organiser to add your public key, or use the right key file`,
        );
      }
      if (!samePublicKey(identity.encryptionPublicKey, decodePublicKey(party.encryptionKey, 'x25519', 'encryption key'))) {
        throw new UnknownPartyError(`the encryption key of '${identity.name}' differs from the one collaboration '${collaboration.id}' lists for '${party.name}'; results sealed to that party could not be opened`);
      }
    }
    const node = pickNode(collaboration, options.node ?? 0);
    const ca = options.ca === undefined ? undefined : options.ca.includes('-----BEGIN') ? options.ca : await readFile(options.ca, 'utf8');
    const timeoutMs = options.timeoutMs ?? 600_000;
    if (options.connectTimeoutMs !== undefined && !(Number.isFinite(options.connectTimeoutMs) && options.connectTimeoutMs > 0)) {
      throw new UsageError(`connectTimeoutMs must be a positive number of milliseconds, not ${String(options.connectTimeoutMs)}`);
    }
    const connectTimeoutMs = Math.min(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, timeoutMs);
    const connectTo = (target: NodeConfig): NodeConnection => new NodeConnection(target, { ...(ca ? { ca } : {}), timeoutMs, connectTimeoutMs });
    const connection = connectTo(node);
    const client = new Tessera(collaboration, identity, party, node, connection, options.identifierKey, connectTo);
    if (options.check ?? true) {
      try {
        const health = await client.health({ timeoutMs: connectTimeoutMs });
        if (health.collaboration.hash !== collaboration.hash) {
          throw new IntegrityError(`node '${node.name}' runs another version of collaboration '${collaboration.id}' (its hash differs): make sure everyone uses the same collaboration file`);
        }
      } catch (error) {
        await connection.close();
        throw error;
      }
    }
    return client;
  }

  /** Releases the connection (shared connections close with their last user). */
  async close(): Promise<void> {
    await this.connection.close();
  }

  /** The node's health; `timeoutMs` bounds this one request (default: the client's timeoutMs). */
  async health(options: { readonly timeoutMs?: number } = {}): Promise<HealthResponse> {
    return (await this.connection.send<HealthResponse>({ method: 'GET', path: ROUTES.health, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) })).body;
  }

  // ---- tables -------------------------------------------------------------------------------

  /**
   * The tables as the connected node holds them. A table damaged at that node is listed as a
   * `DamagedTableInfo` (test with `isDamagedTable`): which file failed and why; it is never used.
   */
  async listTables(): Promise<ListedTable[]> {
    return (await this.connection.send<ListedTable[]>({ method: 'GET', path: ROUTES.tables, signer: this.signer('list tables') })).body;
  }

  /** One table's public metadata; TableNotFoundError if there is none. */
  async tableInfo(name: string): Promise<TableInfo> {
    return (await this.connection.send<TableInfo>({ method: 'GET', path: ROUTES.table(name), signer: this.signer('read tables') })).body;
  }

  /**
   * Reads a CSV/Parquet file or in-memory columns, encodes it (declared or inferred schema),
   * shares it locally and uploads it. Bad input is refused here, before anything is sent.
   */
  async uploadTable(name: string, source: { readonly file: string } | { readonly columns: InMemoryColumns }, options: UploadOptions = {}): Promise<TableInfo> {
    const signer = this.signer('upload tables');
    this.requireRole('input', 'upload tables');
    const readOptions = withSchema(options, this.identifierKey);
    const encoded = await readTable('file' in source ? { path: source.file } : { columns: source.columns }, readOptions);
    const frame = buildUploadFrame(this.collaboration, name, encoded);
    return (await this.connection.send<TableInfo>({ method: 'PUT', path: ROUTES.table(name), frame: { body: frame.body, signingBytes: frame.signingBytes }, signer })).body;
  }

  /** Deletes a table or append table at all three nodes (its owner only). */
  async deleteTable(name: string): Promise<void> {
    await this.connection.send({ method: 'DELETE', path: ROUTES.table(name), signer: this.signer('delete tables') });
  }

  // ---- append tables ------------------------------------------------------------------------

  /**
   * Creates an empty table that contributors add one row each to (role input). Creating it again
   * with the same schema while it is still empty succeeds and changes nothing, so a creation
   * that failed half-way (a node died) is completed by running it again.
   */
  async createAppendTable(name: string, schema: TableSchemaJson | TableSchema): Promise<TableInfo> {
    const signer = this.signer('create append tables');
    this.requireRole('input', 'create append tables');
    const json = 'version' in schema ? schema : schemaToJson(schema);
    parseSchema(json);
    return (await this.connection.send<TableInfo>({ method: 'PUT', path: ROUTES.appendTable(name), json: { schema: json }, signer })).body;
  }

  /**
   * Lets one contributor add one row to an append table this party owns: a signed credential
   * for a random contributor id (or the one given). Hand it to the contributor.
   */
  issueCredential(table: string, contributor: string = randomBytes(16).toString('hex')): Credential {
    const identity = this.requireIdentity('issue credentials');
    const statement = issueCredential({ collaboration: this.collaboration.id, table, contributor }, identity.signingPrivateKey);
    return { table, contributor, statement };
  }

  /**
   * Credentials for many contributors at once (random ids, or the ids given; each id once): one
   * signature per batch of `batchSize` (default 1024) over a Merkle tree of the contributors, so
   * the nodes verify one signature per batch instead of one per contribution. Each credential
   * holds the batch statement and its contributor's proof, and reveals nothing about the others.
   */
  issueCredentials(table: string, contributors: number | readonly string[], options: { readonly batchSize?: number } = {}): Credential[] {
    const identity = this.requireIdentity('issue credentials');
    if (typeof contributors === 'number' && !(Number.isSafeInteger(contributors) && contributors >= 0)) throw new UsageError('the number of credentials must be a whole number');
    const ids = typeof contributors === 'number' ? Array.from({ length: contributors }, () => randomBytes(16).toString('hex')) : [...contributors];
    if (new Set(ids).size !== ids.length) throw new UsageError('each contributor id may be given once (an id adds one row, whatever credential it holds)');
    const batchSize = options.batchSize ?? DEFAULT_CREDENTIAL_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError('batchSize must be a positive integer');
    const out: Credential[] = [];
    for (let start = 0; start < ids.length; start += batchSize) {
      const chunk = ids.slice(start, start + batchSize);
      const { statement, proofs } = issueCredentialBatch({ collaboration: this.collaboration.id, table }, chunk, identity.signingPrivateKey);
      chunk.forEach((contributor, i) => out.push({ table, contributor, statement, proof: proofs[i] }));
    }
    return out;
  }

  /**
   * Adds this contributor's row. The value is checked against the table's schema here first
   * (type, declared range, nulls): a bad value is refused with a typed error and nothing is sent.
   * A lost connection is retried with the same submission id (the nodes store it at most once).
   * A conflict (an earlier submission of this contributor reached only some nodes and is newer, or
   * changed meanwhile) is settled by submitting anew, with a newer id, up to `retries` times.
   */
  async contribute(table: string, values: ContributionValues, credential: Credential | SignedStatement, options: { schema?: TableSchemaJson; retries?: number } = {}): Promise<ContributionResponse> {
    const resolved = resolveCredential(credential);
    if (resolved.collaboration !== this.collaboration.id) throw new CredentialError(`this credential is for collaboration '${resolved.collaboration}', not '${this.collaboration.id}'`);
    if (resolved.table !== table) throw new CredentialError(`this credential is for table '${resolved.table}', not '${table}'`);
    const schema = options.schema ? parseSchema(options.schema) : await this.appendSchema(table, resolved);
    const encoded = encodeContributionRow(schema, values, this.identifierKey);
    let body = buildContributionFrame(this.collaboration, table, encoded, resolved, newSubmissionId(), this.envelopes);
    const headers = { [CREDENTIAL_HEADER]: credentialHeaderValue(resolved) };
    const retries = options.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.connection.send<ContributionResponse>({ method: 'POST', path: ROUTES.contributions(table), frame: { body, signingBytes: body }, headers })).body;
      } catch (error) {
        const conflict = error instanceof ContributionConflictError;
        if (!(conflict || error instanceof NodeUnavailableError) || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
        if (conflict) body = buildContributionFrame(this.collaboration, table, encoded, resolved, newSubmissionId(), this.envelopes);
      }
    }
  }

  private async appendSchema(table: string, credential: ResolvedCredential): Promise<TableSchema> {
    let schema = this.schemas.get(table);
    if (!schema) {
      const response = await this.connection.send<AppendTableSchemaResponse>({ method: 'GET', path: ROUTES.appendTable(table), headers: { [CREDENTIAL_HEADER]: credentialHeaderValue(credential) } });
      schema = parseSchema(response.body.schema);
      this.schemas.set(table, schema);
    }
    return schema;
  }

  // ---- queries ------------------------------------------------------------------------------

  /**
   * A stored table as a lazy data frame (client/frame.ts): nothing is sent until the frame is
   * explained or opened. Column names may be given as a type: `t.table<'age' | 'visits'>('visits')`.
   */
  table<C extends string = string>(name: string): LazyFrame<C> {
    return scanFrame<C>(name, this);
  }

  /**
   * A SQL SELECT as a data frame (docs/plan.md, "SQL"): parsed on this machine by DuckDB's
   * parser; what the plan cannot express yet is refused with SqlError naming the construct.
   * `{ joinMaxRows }` makes its JOIN many-to-many up to that many output rows.
   */
  async sql(statement: string, options: SqlOptions = {}): Promise<LazyFrame> {
    if (parseCreateTableAs(statement)) throw new SqlError('CREATE TABLE ... AS SELECT stores a table: run it with t.sqlStore(statement) (or frame.store(name))', 'CREATE statement');
    return sqlToFrame(statement, (name) => this.table(name), options);
  }

  count(options: Omit<QueryOptions, 'column'> & { column?: string }): Promise<QueryHandle> {
    return this.aggregate('count', options);
  }

  sum(options: QueryOptions & { column: string }): Promise<QueryHandle> {
    return this.aggregate('sum', options);
  }

  mean(options: QueryOptions & { column: string }): Promise<QueryHandle> {
    return this.aggregate('mean', options);
  }

  /**
   * Any aggregate of the registry (plan/registry.ts) over one column (or rows), as a frame: the
   * tables (default: every table that has the column, as listed by the connected node, sorted),
   * concatenated, aggregated into one output named after the aggregate, opened to the recipients.
   */
  async aggregate(fn: string, options: QueryOptions): Promise<QueryHandle> {
    const entry = findAggregate(fn);
    if (!entry) throw new UsageError(`unknown aggregate '${fn}' (known: ${aggregateNames().join(', ')})`);
    if (entry.column === 'required' && options.column === undefined) throw new UsageError(`${fn} needs a column`);
    this.signer('run queries');
    this.requireRole('analyst', 'run queries');
    this.checkRecipients(options.recipients);
    const args = { ...(options.p !== undefined ? { p: options.p } : {}), ...(options.other !== undefined ? { other: options.other } : {}) };
    const expression = aggregateOf(fn, options.column, args);
    const withOther = options.other !== undefined && options.tables === undefined ? new Set(await this.tablesWith(options.other)) : undefined;
    const tables = [...new Set(options.tables !== undefined ? options.tables : (await this.tablesWith(options.column)).filter((t) => withOther?.has(t) ?? true))].sort();
    if (tables.length === 0) throw new UsageError('name at least one table');
    const [first, ...rest] = tables.map((t) => this.table(t));
    const frame = rest.length === 0 ? first : first.concat(...rest);
    const wait: WaitOptions = { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}) };
    return this.run(frame.agg({ [fn]: expression }).toPlan({ to: options.recipients, ...(options.privacy ? { privacy: options.privacy } : {}) }), wait);
  }

  /**
   * Has the connected node check a plan without running it (`explain()`): what it would make
   * public, its outputs and its estimated cost. Nothing runs and nothing is recorded.
   */
  async checkPlan(plan: Plan, options: { readonly design?: boolean } = {}): Promise<PlanCheckResponse> {
    const signer = this.signer('check query plans');
    this.requireRole('analyst', 'check query plans');
    const design = options.design ?? this.designMode;
    return (await this.connection.send<PlanCheckResponse>({ method: 'POST', path: ROUTES.planCheck, json: { plan, ...(design ? { design } : {}) }, signer })).body;
  }

  /**
   * Submits a query plan (docs/plan.md) built by hand or with plan/build.ts; it runs as a job.
   * `design: true` (or design mode, `design()`) runs it on the dummy tables: no script needed,
   * its result marked `design`. While recording a script, a design run is also recorded as the
   * next step (design → record → approve → run); any other run is only recorded.
   */
  async run(plan: Plan, options: WaitOptions & { readonly script?: string; readonly design?: boolean } = {}): Promise<QueryHandle> {
    const signer = this.signer('run queries');
    this.requireRole('analyst', 'run queries');
    if (plan.root.op === 'open') this.checkRecipients(plan.root.to);
    const { script: named, design: asked, ...wait } = options;
    const design = asked ?? this.designMode;
    if (design && named !== undefined) throw new UsageError('a design query runs on dummy tables and needs no script: leave out the script, or design mode');
    if (this.recorder && !design) return recordedHandle(this.recorder.add(plan), planHash(plan));
    const script = design ? undefined : (named ?? this.activeScript);
    const submitted = (await this.connection.send<QuerySubmitted>({ method: 'POST', path: ROUTES.queries, json: { plan, ...(script ? { script } : {}), ...(design ? { design } : {}) }, signer })).body;
    this.recorder?.add(plan);
    return this.handle(submitted, wait);
  }

  // ---- design mode (docs/governance.md, "Design mode") -----------------------------------------

  /**
   * Design mode on (default) or off for this client: every query (frames, SQL, `run`) then runs on
   * the dummy tables (generated at the nodes from the real tables' schemas, or uploaded by their
   * owners), needs no approval, touches no real row, and its result is marked `design`.
   */
  design(enabled = true): this {
    this.designMode = enabled;
    return this;
  }

  get inDesignMode(): boolean {
    return this.designMode;
  }

  /** An owner's dummy table for design queries (same schema as its real table), sent to every node as public rows. */
  async uploadDummyTable(name: string, source: { readonly file: string } | { readonly columns: InMemoryColumns }, options: UploadOptions = {}): Promise<DesignTableInfo> {
    const identity = this.signer('upload dummy tables');
    this.requireRole('input', 'upload dummy tables');
    const encoded = await readTable('file' in source ? { path: source.file } : { columns: source.columns }, withSchema(options, this.identifierKey));
    return uploadDummyTable(this.collaboration, this.connectTo, identity, name, encoded);
  }

  /** The tables design queries see at the connected node (uploaded dummies, and dummies generated for the real tables). */
  async designTables(): Promise<DesignTableInfo[]> {
    return listDesignTables(this.connection, this.signer('list design tables'));
  }

  // ---- governance (docs/governance.md) --------------------------------------------------------

  /**
   * Record mode: until `finish()` on the returned recorder, every query this client would run is
   * added to a script instead (its handle's `wait`/`result` refuse: nothing ran).
   */
  recordScript(options: RecordOptions): ScriptRecorder {
    this.requireRole('analyst', 'record scripts');
    if (!this.party) throw new UsageError('record scripts with an identity: pass identity to Tessera.connect');
    if (this.recorder) throw new UsageError('this client is already recording a script');
    this.recorder = new ScriptRecorder(this.collaboration, this.party, options, () => (this.recorder = undefined));
    return this.recorder;
  }

  /** Sends a script (this party's own analysis) to every node; returns its hash. */
  async submitScript(script: Script): Promise<string> {
    return submitScript(this.collaboration, this.connectTo, this.signer('submit scripts'), script);
  }

  /** Signs this representative's approval of a script (by hash) and sends it to every node. */
  async approveScript(script: string | Script): Promise<SignedStatement> {
    return this.statement('approval', script);
  }

  /** Withdraws this representative's approval of a script at every node, for good. */
  async revokeScript(script: string | Script): Promise<SignedStatement> {
    return this.statement('revocation', script);
  }

  /** Runs later queries as steps of this approved script (undefined: none). */
  useScript(script: string | Script | undefined): void {
    this.activeScript = script === undefined || typeof script === 'string' ? script : scriptHash(script);
  }

  /** A result with its receipt, for showing to a third party (`tessera receipt verify`). */
  async resultWithReceipt(queryId: string): Promise<{ resultFile: ResultFile; receipt: Receipt; table: ResultTable }> {
    const identity = this.requireIdentity('open results');
    await waitWhileComputing(queryId, () => this.queryState(queryId));
    return resultWithReceipt(this.collaboration, this.connectTo, identity, queryId);
  }

  /** The connected node's audit log (JSON lines; governance/audit.ts). */
  async auditLog(): Promise<string> {
    const signer = this.signer('read audit logs');
    return (await this.connection.send<{ log: string }>({ method: 'GET', path: GOVERNANCE_ROUTES.audit, signer })).body.log;
  }

  private async statement(kind: ApprovalKind, script: string | Script): Promise<SignedStatement> {
    const identity = this.signer(`sign script ${kind}s`);
    this.requireRole('representative', `sign script ${kind}s`);
    const hash = typeof script === 'string' ? script : scriptHash(script);
    return sendStatement(this.collaboration, this.connectTo, identity, this.party!, kind, hash, identity.signingPrivateKey);
  }

  /** Submits a plan with a store root (frame.store, sqlStore); its result is the stored table's info. */
  async runStore(plan: Plan, options: WaitOptions = {}): Promise<StoreHandle> {
    if (plan.root.op !== 'store') throw new UsageError("runStore takes a plan whose root is a 'store' node; open results with run()");
    const signer = this.signer('store tables');
    this.requireRole('analyst', 'store tables');
    if (this.designMode) throw new UsageError('design mode runs on dummy tables and stores nothing: open the result instead (leave design mode to store a table)');
    const submitted = (await this.connection.send<QuerySubmitted>({ method: 'POST', path: ROUTES.queries, json: { plan }, signer })).body;
    return storeHandle(this.handle(submitted, options), plan.root.table, (name) => this.tableInfo(name));
  }

  /**
   * `CREATE [OR REPLACE] TABLE name AS SELECT ...` (client/sql/create-table-as.ts): the SELECT,
   * parsed by DuckDB like t.sql(), stored as a derived table at the nodes.
   */
  async sqlStore(statement: string, options: WaitOptions = {}): Promise<StoreHandle> {
    const ctas = parseCreateTableAs(statement);
    if (!ctas) throw new SqlError('sqlStore takes CREATE [OR REPLACE] TABLE name AS SELECT ...; run a plain SELECT with t.sql()', 'non-CREATE statement');
    const frame = await sqlToFrame(ctas.select, (name) => this.table(name));
    return this.runStore(frame.toStorePlan(ctas.table, { replace: ctas.replace }), options);
  }

  /** A handle on a query submitted earlier (by id, e.g. from `tessera query --detach`). */
  query(id: string, options: WaitOptions = {}): QueryHandle {
    return this.handle({ query: id, state: 'running', plan: '' }, options);
  }

  /** Cancels a queued or running query at all three nodes (its requester only); a completed one is refused with QueryDoneError. */
  async cancel(queryId: string): Promise<QueryStatus> {
    const signer = this.signer('cancel queries');
    return (await this.connection.send<QueryStatus>({ method: 'DELETE', path: ROUTES.query(queryId), signer })).body;
  }

  private handle(submitted: QuerySubmitted, options: WaitOptions): QueryHandle {
    const id = submitted.query;
    let waiting: Promise<QueryInfo & { readonly state: 'done' }> | undefined;
    const wait = (): Promise<QueryInfo & { readonly state: 'done' }> => {
      waiting ??= waitForQuery(id, () => this.queryState(id), options);
      return waiting;
    };
    return {
      id,
      submitted,
      status: () => this.queryState(id),
      wait,
      result: async () => {
        await wait();
        return this.result(id);
      },
      cancel: () => this.cancel(id),
    };
  }

  /**
   * A query's state as the connected node knows it: `running`, `done` (its result opens) or
   * `failed` (with the reason; it has no result). For its requester and its recipients.
   */
  async queryState(queryId: string): Promise<QueryStatus> {
    const signer = this.signer('ask about queries');
    return (await this.connection.send<QueryStatus>({ method: 'GET', path: ROUTES.query(queryId), signer })).body;
  }

  /**
   * Opens the result of a query this party is a recipient of, once its job is computed (it waits
   * while the connected node queues or computes it). A failed query is refused with
   * QueryFailedError (and its reason); one computed but not decided yet with QueryPendingError.
   */
  async result(queryId: string): Promise<QueryResult> {
    const identity = this.requireIdentity('open results');
    await waitWhileComputing(queryId, () => this.queryState(queryId));
    // The coordinator reports a query done once it has recorded the commit; its peers hear of it
    // a moment later. Until they do they refuse their shares as undecided, so that short window
    // is waited out (bounded), rather than failing a result that is already decided.
    const deadline = Date.now() + RESULT_DECISION_WAIT_MS;
    for (let delay = 50; ; delay = Math.min(1000, delay * 2)) {
      try {
        const { info, shares } = await collectResultShares(this.collaboration, identity, queryId, this.connection, this.connectTo);
        return openResult(this.collaboration, identity, info, shares);
      } catch (error) {
        if (!(error instanceof QueryPendingError) || Date.now() + delay > deadline) throw error;
        // Only a query the connected node knows is done is waited for; an undecided one is reported at once.
        const decided = await this.queryState(queryId).then((q) => q.state === 'done', () => false);
        if (!decided) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * The tables a query without `tables` covers: every table the connected node lists that has
   * the column (every table, for a count of rows). A table damaged there is included, so the
   * query is refused with its damage rather than silently narrowed.
   */
  private async tablesWith(column: string | undefined): Promise<string[]> {
    const listed = await this.listTables();
    const names = listed.filter((t) => isDamagedTable(t) || column === undefined || t.schema.columns.some((c) => c.name === column)).map((t) => t.name);
    if (names.length === 0) throw new QueryError(column === undefined ? 'there are no tables to count' : `no table has a column named '${column}'`);
    return names;
  }

  private checkRecipients(recipients: readonly string[]): void {
    if (!Array.isArray(recipients) || recipients.length === 0) throw new UsageError('name at least one recipient (a party with the output role) who may open the result');
    for (const r of recipients) {
      const p = this.collaboration.findParty(r);
      if (!p) throw new UnknownPartyError(`recipient '${r}' is not a party of collaboration '${this.collaboration.id}'`);
      if (!p.roles.includes('output')) throw new PermissionDeniedError(`recipient '${r}' cannot receive results: it does not have the 'output' role`);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private requireIdentity(action: string): Identity {
    if (!this.identity) throw new UsageError(`this client was connected without an identity, so it cannot ${action}: pass identity to Tessera.connect`);
    return this.identity;
  }

  private signer(action: string): Identity {
    return this.requireIdentity(action);
  }

  private requireRole(role: Role, action: string): void {
    if (this.party && !this.party.roles.includes(role)) {
      throw new PermissionDeniedError(`'${this.party.name}' may not ${action}: that needs the '${role}' role, which collaboration '${this.collaboration.id}' does not give it`);
    }
  }
}

/** The handle of a plan recorded into a script: it did not run, so it has no state or result. */
function recordedHandle(step: number, plan: string): QueryHandle {
  const refuse = (): Promise<never> => Promise.reject(new UsageError(`this query was recorded as step ${step} of a script (record mode), not run: have the script approved and run it`));
  return { id: `recorded-step-${step}`, submitted: { query: `recorded-step-${step}`, state: 'queued', plan }, status: refuse, wait: refuse, result: refuse, cancel: refuse };
}

/** Contributors per signed credential batch: paths of 10 hashes, a signature per 1,024 contributors. */
const DEFAULT_CREDENTIAL_BATCH = 1024;

function pickNode(collaboration: Collaboration, node: number | string): NodeConfig {
  if (typeof node === 'number') {
    if (node !== 0 && node !== 1 && node !== 2) throw new UsageError('node must be 0, 1 or 2 (or a node name)');
    return collaboration.node(node as NodeIndex);
  }
  return collaboration.nodeByName(node);
}

/** A full schema becomes declarations for every column plus the selection (and order) of columns. */
function withSchema(options: UploadOptions, identifierKey: Uint8Array | undefined): ReadTableOptions {
  const { schema, ...rest } = options;
  const base: ReadTableOptions = { ...rest, ...(identifierKey && !rest.identifierKey ? { identifierKey } : {}) };
  if (!schema) return base;
  const parsed = parseSchema(schema);
  const columns: Record<string, Record<string, unknown>> = {};
  for (const c of schema.columns) {
    const { name, ...declaration } = c;
    columns[name] = { ...declaration };
  }
  return { ...base, columns: { ...columns, ...(rest.columns ?? {}) }, select: parsed.columns.map((c) => c.name) };
}
