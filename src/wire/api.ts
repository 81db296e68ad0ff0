/**
 * The client-node HTTP API: routes, bodies and envelope contexts, shared by the node server
 * (src/node) and the SDK (src/client). docs/system.md describes the flows.
 *
 * Every request except health, the OpenAPI document and contributions is signed by a party of
 * the collaboration (crypto/request-signing.ts: method, path, body hash, time, nonce and the
 * node's name as audience). Contributions are authorised by a credential from the table owner
 * (wire/credential.ts). Shares always travel sealed to their node (crypto/envelope.ts), so the
 * node a client talks to relays its peers' envelopes without being able to read them.
 */

import type { SignedStatement } from '../crypto/signed.js';
import type { TableSchemaJson } from '../table/schema.js';

export const API_PREFIX = '/v1';

export const ROUTES = {
  health: '/v1/health',
  openapi: '/v1/openapi.json',
  tables: '/v1/tables',
  table: (name: string): string => `/v1/tables/${encodeURIComponent(name)}`,
  appendTable: (name: string): string => `/v1/append-tables/${encodeURIComponent(name)}`,
  contributions: (name: string): string => `/v1/append-tables/${encodeURIComponent(name)}/rows`,
  queries: '/v1/queries',
  result: (query: string): string => `/v1/results/${encodeURIComponent(query)}`,
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
}

export interface HealthResponse {
  readonly status: 'ok' | 'degraded';
  readonly version: string;
  readonly node: { readonly index: number; readonly name: string };
  readonly collaboration: { readonly id: string; readonly hash: string };
  readonly peers: readonly { readonly index: number; readonly name: string; readonly connected: boolean }[];
  readonly tables: number;
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

/** PUT /v1/append-tables/:name: an empty table that contributors add rows to. */
export interface CreateAppendTableRequest {
  readonly schema: TableSchemaJson;
}

/**
 * Header of a contribution frame (POST /v1/append-tables/:name/rows). Parts: three envelopes
 * (contributionContext) each holding a one-row share payload. `submission` is a random id chosen
 * per attempt: resending the same submission is acknowledged again, a different submission from
 * the same contributor is refused as a duplicate.
 */
export interface ContributionHeader {
  readonly format: 'tessera-contribution/v1';
  readonly contributor: string;
  readonly submission: string;
  readonly credential: SignedStatement;
}

export type AggregateOp = 'count' | 'sum' | 'mean';

/** POST /v1/queries */
export interface QueryRequest {
  readonly op: AggregateOp;
  /** Column to aggregate (not needed for count). */
  readonly column?: string;
  /** Tables to include; all tables having the column when omitted. */
  readonly tables?: readonly string[];
  /** Parties who may open the result (names in the collaboration). */
  readonly recipients: readonly string[];
}

export interface QueryResponse {
  readonly query: string;
  readonly op: AggregateOp;
  readonly column?: string;
  readonly tables: readonly string[];
  readonly recipients: readonly string[];
  /** When the requester is a recipient: its sealed result shares, one per node (base64). */
  readonly shares?: readonly { readonly node: number; readonly envelope: string }[];
}

/** GET /v1/results/:query (signed by a recipient). */
export interface ResultResponse {
  readonly query: string;
  readonly shares: readonly { readonly node: number; readonly envelope: string }[];
}

/** Error body of every non-2xx response. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

export type { SignedStatement };
