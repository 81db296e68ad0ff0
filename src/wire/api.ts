/**
 * The client-node HTTP API: routes, bodies and envelope contexts, shared by the node server
 * (src/node) and the SDK (src/client). docs/system.md describes the flows.
 *
 * Every request except health, the OpenAPI document and contributions is signed by a party of
 * the collaboration (crypto/request-signing.ts: method, path, body hash, time, nonce and the
 * node's name as audience). Contributions are authorised by a credential from the table owner
 * (wire/credential.ts), sent in the CREDENTIAL_HEADER so that a node checks it before reading the
body. Signed requests with a body also send the body hash they signed (BODY_SHA256_HEADER in
crypto/request-signing.ts), for the same reason. Shares always travel sealed to their node (crypto/envelope.ts), so the
 * node a client talks to relays its peers' envelopes without being able to read them.
 */

import type { SignedStatement } from '../crypto/signed.js';
import type { InclusionProof } from './credential.js';
import type { TableSchemaJson } from '../table/schema.js';
import type { ColumnTypeJson } from '../table/column-type.js';

export const API_PREFIX = '/v1';

/**
 * Header carrying a contribution credential where a contributor, who holds no key of the
 * collaboration, reads an append table's schema or contributes: base64 of the JSON of
 * `CredentialHeader` (or, for a single credential, of the statement alone). A node checks it
 * before it reads a contribution's body; the frame header must carry the same credential.
 */
export const CREDENTIAL_HEADER = 'x-tessera-credential';

export const ROUTES = {
  health: '/v1/health',
  openapi: '/v1/openapi.json',
  tables: '/v1/tables',
  table: (name: string): string => `/v1/tables/${encodeURIComponent(name)}`,
  appendTable: (name: string): string => `/v1/append-tables/${encodeURIComponent(name)}`,
  contributions: (name: string): string => `/v1/append-tables/${encodeURIComponent(name)}/rows`,
  queries: '/v1/queries',
  /** Check a plan at the connected node without running it: what it discloses and costs (explain). */
  planCheck: '/v1/plans/check',
  /** A query's state (running, done, failed with the reason), as this node knows it. */
  query: (query: string): string => `/v1/queries/${encodeURIComponent(query)}`,
  result: (query: string): string => `/v1/results/${encodeURIComponent(query)}`,
  /** One node's own share only: for fetching from each node when the nodes cannot reach each other. */
  resultShare: (query: string): string => `/v1/results/${encodeURIComponent(query)}/share`,
} as const;

// ---- envelope purposes: every envelope is bound to one of these and to its fields ----

export const UPLOAD_PURPOSE = 'tessera/upload/v1';
export const CONTRIBUTION_PURPOSE = 'tessera/contribution/v1';
export const RESULT_PURPOSE = 'tessera/result/v1';

export function uploadContext(collaboration: string, table: string, upload: string, node: number): { purpose: string; collaboration: string; table: string; upload: string; node: number } {
  return { purpose: UPLOAD_PURPOSE, collaboration, table, upload, node };
}

export function contributionContext(
  collaboration: string,
  table: string,
  contributor: string,
  submission: string,
  node: number,
): { purpose: string; collaboration: string; table: string; contributor: string; submission: string; node: number } {
  return { purpose: CONTRIBUTION_PURPOSE, collaboration, table, contributor, submission, node };
}

export function resultContext(collaboration: string, query: string, recipient: string, node: number): { purpose: string; collaboration: string; query: string; recipient: string; node: number } {
  return { purpose: RESULT_PURPOSE, collaboration, query, recipient, node };
}

// ---- bodies ----

export type TableKind = 'table' | 'append';

/** Public metadata of a stored table. */
export interface TableInfo {
  readonly name: string;
  readonly kind: TableKind;
  readonly owner: string;
  readonly schema: TableSchemaJson;
  /** Rows (for append tables: rows stored at this node). */
  readonly rows: number;
  readonly createdAt: string;
  /** Derived tables only (a plan stored it; docs/storage.md, "Derived tables"): where it came from. */
  readonly lineage?: TableLineageInfo;
}

/** The origin of a derived table: the query and plan that stored it, the tables it read, who stored it and when. */
export interface TableLineageInfo {
  readonly query: string;
  /** The plan's id (SHA-256 of its canonical JSON). */
  readonly plan: string;
  readonly inputs: readonly string[];
  readonly createdBy: string;
  readonly createdAt: string;
  /** It replaced a derived table of the same name (and creator). */
  readonly replaced: boolean;
}

/**
 * A table the listing node holds but will not use: a file of it failed its integrity check
 * there. Queries naming it are refused; its owner deletes it (through any node).
 */
export interface DamagedTableInfo {
  readonly name: string;
  readonly kind: TableKind;
  readonly damaged: {
    /** The node that holds the damaged copy (the one that answered the listing). */
    readonly node: string;
    /** The file that failed, relative to that node's data directory. */
    readonly file: string;
    readonly reason: string;
  };
  /** The owner, when that node still has an authenticated record of it. */
  readonly owner?: string;
}

/** One entry of a table listing. */
export type ListedTable = TableInfo | DamagedTableInfo;

export function isDamagedTable(table: ListedTable): table is DamagedTableInfo {
  return 'damaged' in table;
}

export interface HealthResponse {
  readonly status: 'ok' | 'degraded';
  readonly version: string;
  readonly node: { readonly index: number; readonly name: string };
  readonly collaboration: { readonly id: string; readonly hash: string };
  readonly peers: readonly { readonly index: number; readonly name: string; readonly connected: boolean }[];
  readonly tables: number;
  /** The node's start-up warm-up, when it ran (docs/system.md, "Start-up warm-up"). */
  readonly warmUp?: { readonly wallMs: number; readonly cpuMs: number; readonly failed: number };
}

/**
 * Header of an upload frame (PUT /v1/tables/:name, body FRAME_CONTENT_TYPE). The frame's three
 * parts are the envelopes for nodes 0, 1 and 2 (uploadContext), each holding that node's
 * share payload (wire/share-payload.ts) of the encoded columns, in `columns` order.
 */
export interface UploadHeader {
  readonly format: 'tessera-upload/v1';
  readonly upload: string;
  readonly schema: TableSchemaJson;
  readonly rows: number;
  /** Encoded column names (schema columns plus `<name>$valid` for nullable ones). */
  readonly columns: readonly string[];
}

/** The x-tessera-credential header's JSON: the fields of a contribution header that authorise it. */
export interface CredentialHeader {
  readonly contributor: string;
  readonly credential: SignedStatement;
  readonly proof?: InclusionProof;
}

/** PUT /v1/append-tables/:name: an empty table that contributors add rows to. */
export interface CreateAppendTableRequest {
  readonly schema: TableSchemaJson;
}

/**
 * Header of a contribution frame (POST /v1/append-tables/:name/rows). Parts: three envelopes
 * (contributionContext) each holding a one-row share payload. `submission` is an id chosen per
 * attempt, ordered by time (newSubmissionId): resending the same submission is acknowledged again;
 * a different submission from a contributor whose row is at all three nodes is refused as a
 * duplicate; one whose earlier row reached only some nodes replaces it when it is newer.
 * `envelopes` holds the SHA-256 (hex) of each envelope, so the header's own SHA-256 identifies the
 * whole contribution at every node. `credential` is the owner's statement (single or batch,
 * wire/credential.ts); `proof` places the contributor in a batch and is present exactly when the
 * statement is a batch.
 */
export const CONTRIBUTION_FORMAT = 'tessera-contribution/v2';

export interface ContributionHeader {
  readonly format: typeof CONTRIBUTION_FORMAT;
  readonly contributor: string;
  readonly submission: string;
  readonly envelopes: readonly [string, string, string];
  readonly credential: SignedStatement;
  readonly proof?: InclusionProof;
}

/**
 * POST /v1/queries: a query plan (docs/plan.md), as JSON. The client builds it; every node parses
 * and checks it on its own. The recipients are the plan's `open` root's `to`.
 */
export interface QueryRequest {
  readonly plan: unknown;
  /** The approved script this plan is the next step of (docs/governance.md); needed in production mode. */
  readonly script?: string;
  /** Design mode: run on the dummy tables, never on real ones; no script needed (docs/governance.md). */
  readonly design?: boolean;
}

/** One opened output of a plan: an aggregate from the registry (plan/registry.ts) and how to decode it. */
export interface QueryOutputInfo {
  readonly name: string;
  /** The registry entry that computed it (count, sum, mean, ...), or 'column' for a plain column. */
  readonly fn: string;
  /** The column it is computed from (an aggregate's input column; a plain column's own name). */
  readonly column?: string;
  /** The column's fixed-point scale (digits after the point); 0 for integers and counts. */
  readonly scale: number;
  /** A plain column's type (with its declared range, scale or dictionary): how its values decode. */
  readonly type?: ColumnTypeJson;
  /**
   * The result columns it opens as, and which part of the output each is: an aggregate's terms
   * (plan/registry.ts: "sum", "count", ...); a plain column's "value" and, when nullable, "present".
   */
  readonly parts: readonly { readonly column: string; readonly part: string }[];
}

/**
 * Differentially private noise the nodes added inside MPC before opening (docs/statistics.md,
 * "Differential privacy"): the mechanism, what the query spends, and per noisy result column its
 * sensitivity (stored units, as text) and the noise's standard deviation in the column's units.
 */
export interface PrivacyReport {
  readonly mechanism: 'laplace' | 'gaussian';
  readonly epsilon?: number;
  readonly rho?: number;
  readonly contributions: number;
  /** Upper bound of the total-variation distance between the noise sampled and the ideal mechanism's, over all cells. */
  readonly totalVariation: number;
  /** Laplace: the query is (epsilon, delta)-DP (delta from the truncation and the 64-bit thresholds). */
  readonly delta?: number;
  /** Groups (crosstab cells) whose noisy count was below this were suppressed inside MPC (not opened). */
  readonly suppressBelow?: number;
  readonly columns: readonly {
    readonly column: string;
    readonly output: string;
    readonly part: string;
    readonly sensitivity: string;
    readonly epsilon?: number;
    readonly rho?: number;
    readonly standardDeviation: number;
  }[];
}

/**
 * POST /v1/plans/check (body: a QueryRequest; signed, role analyst): the connected node parses and
 * checks the plan against its tables exactly as it would before running it, and runs nothing.
 * Estimates are for that node's view (append tables: the rows stored there).
 */
export interface PlanCheckResponse {
  /** The plan's id (plan/plan.ts planHash). */
  readonly planHash: string;
  /** The node that checked it. */
  readonly node: string;
  readonly tables: readonly { readonly name: string; readonly kind: 'table' | 'append'; readonly rows: number }[];
  readonly outputs: readonly QueryOutputInfo[];
  readonly recipients: readonly string[];
  /** What running the plan makes public, with its place in the plan (docs/plan.md). */
  readonly disclosures: readonly { readonly path: string; readonly what: string }[];
  /** Estimated communication rounds and bytes sent per node (plan/cost.ts). */
  readonly cost: { readonly rounds: number; readonly bytesPerParty: number };
  /** The differentially private noise the plan asks for, and what it spends. */
  readonly privacy?: PrivacyReport;
}

/** Public facts about a query: what ran, on what, for whom; identical at every node. */
export interface QueryInfo {
  readonly query: string;
  /** The plan's id: SHA-256 (hex) of its canonical JSON (plan/plan.ts planHash). */
  readonly plan: string;
  readonly outputs: readonly QueryOutputInfo[];
  /** Stored tables the plan reads. */
  readonly tables: readonly string[];
  readonly recipients: readonly string[];
  /** Party that asked for the query. */
  readonly requestedBy: string;
  readonly createdAt: string;
  /** Rows the query looked at, and rows an append table's range check left out (public). */
  readonly rows: number;
  readonly excluded: number;
  /** Rows of the opened result (1 for aggregates without groups); for a store root, rows stored. */
  readonly resultRows: number;
  /** A store root: the name of the table it stores (listed with its lineage once the query is done). */
  readonly stored?: string;
  /**
   * What the plan's operators opened at run time, as its disclosures declared: the rows a
   * reveal-count filter or join kept ('rows'), the groups a sorting group-by found ('groups'),
   * each with its place in the plan. The same at every node.
   */
  readonly revealed?: readonly { readonly path: string; readonly fact: string; readonly value: number }[];
  /** The differentially private noise in the opened values, when the plan asks for it. */
  readonly privacy?: PrivacyReport;
  /** Design mode: computed on dummy tables, not on real data (docs/governance.md, "Design mode"). */
  readonly design?: true;
}

/** A node's sealed result share for one recipient (envelope bytes in base64). */
export interface SealedShare {
  readonly node: number;
  readonly envelope: string;
}

/**
 * A query's state, agreed by the three nodes (docs/system.md, "Query states"): `running` until
 * it is decided (also while a node that computed its share waits to hear the decision), then
 * for good either `done` (every node holds its share: the result opens) or `failed` (no node
 * serves a share, ever; `reason` says why).
 */
export type QueryState = 'queued' | 'running' | 'done' | 'failed';

/**
 * A job as the node asked runs it (docs/system.md, "Jobs"): `queued` at its coordinator until a
 * slot is free, then `running` at every node, step by step (ops/progress.ts).
 */
export interface JobStatus {
  readonly phase: 'queued' | 'running';
  /** Place in the coordinator's queue (1: next to start); queued only. */
  readonly position?: number;
  /** The step running now: its operator (read, scan, range-check, concat, aggregate, open) and place in the plan. */
  readonly operator?: string;
  readonly path?: string;
  /** Step `step` of `steps` (1-based); the fraction done is about (step - 1) / steps. */
  readonly step?: number;
  readonly steps?: number;
  /** Since the node admitted the job. */
  readonly elapsedMs: number;
}

/** GET /v1/queries/:query (signed by the requester or a recipient); also the answer to a cancel. */
export interface QueryStatus {
  readonly query: string;
  readonly state: QueryState;
  /** Why it failed; for `running`, what it waits for. */
  readonly reason?: string;
  /** The query's public facts, once this node has computed its share. */
  readonly info?: QueryInfo;
  /** While it is queued or running at the node asked. */
  readonly job?: JobStatus;
}

/**
 * POST /v1/queries: 202 as soon as the query is admitted (checked and recorded at its
 * coordinator); it then runs as a job. Its state and result are asked for by id.
 */
export interface QuerySubmitted {
  readonly query: string;
  readonly state: 'queued' | 'running';
  /** The plan's id (its canonical hash). */
  readonly plan: string;
}

/** GET /v1/results/:query (signed by a recipient). */
export interface ResultResponse extends QueryInfo {
  readonly shares: readonly SealedShare[];
  /** Nodes whose share could not be fetched now (two shares suffice to open a result). */
  readonly missing: readonly { readonly node: number; readonly reason: string }[];
}

/** Answer to a contribution. */
export interface ContributionResponse {
  readonly table: string;
  readonly contributor: string;
  readonly submission: string;
  /** `stored`: appended now; `already-stored`: this very submission was stored before (a retry). */
  readonly status: 'stored' | 'already-stored';
}

/** GET /v1/append-tables/:name with a credential: what a contributor needs to check its value. */
export interface AppendTableSchemaResponse {
  readonly name: string;
  readonly owner: string;
  readonly schema: TableSchemaJson;
}

/** Error body of every non-2xx response. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

export type { SignedStatement, InclusionProof };
