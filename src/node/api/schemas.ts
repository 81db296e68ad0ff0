/**
 * JSON schemas of the HTTP API: fastify validates requests with them (before any signature or
 * role check runs) and @fastify/swagger turns them into the OpenAPI document.
 */

import { aggregateNames, aggregates } from '../../plan/registry.js';
import { PLAN_VERSION } from '../../plan/plan.js';
import { CREDENTIAL_HEADER } from '../../wire/api.js';

const tableName = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$', description: 'table name' } as const;
const queryId = { type: 'string', pattern: '^q-[0-9a-f]{24}$', description: 'query id' } as const;

export const errorBody = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const;

const schemaJson = { type: 'object', additionalProperties: true, description: 'table schema (docs/ingest.md, "JSON form of a schema")' } as const;

export const tableInfo = {
  $id: 'TableInfo',
  type: 'object',
  required: ['name', 'kind', 'owner', 'schema', 'rows', 'createdAt'],
  properties: {
    name: { type: 'string' },
    kind: { type: 'string', enum: ['table', 'append'] },
    owner: { type: 'string' },
    schema: schemaJson,
    rows: { type: 'integer', description: 'rows stored (for append tables: rows at this node)' },
    createdAt: { type: 'string', format: 'date-time' },
    lineage: {
      type: 'object',
      description: 'derived tables only: the query and plan that stored it, the tables it read, who stored it and when',
      properties: {
        query: { type: 'string' },
        plan: { type: 'string' },
        inputs: { type: 'array', items: { type: 'string' } },
        createdBy: { type: 'string' },
        createdAt: { type: 'string' },
        replaced: { type: 'boolean' },
      },
    },
  },
} as const;

export const damagedTableInfo = {
  $id: 'DamagedTableInfo',
  type: 'object',
  required: ['name', 'kind', 'damaged'],
  properties: {
    name: { type: 'string' },
    kind: { type: 'string', enum: ['table', 'append'] },
    damaged: {
      type: 'object',
      required: ['node', 'file', 'reason'],
      properties: { node: { type: 'string' }, file: { type: 'string' }, reason: { type: 'string' } },
    },
    owner: { type: 'string' },
  },
} as const;

/** A job as the node asked runs it (wire/api.ts JobStatus). */
const jobStatus = {
  type: 'object',
  properties: {
    phase: { type: 'string', enum: ['queued', 'running'] },
    position: { type: 'integer', description: "place in the coordinator's queue (1: next)" },
    operator: { type: 'string', description: 'the step running now: read, scan, range-check, concat, filter, aggregate, open, store' },
    path: { type: 'string', description: "the operator's place in the plan" },
    step: { type: 'integer' },
    steps: { type: 'integer' },
    elapsedMs: { type: 'integer', description: 'since the job was admitted' },
  },
} as const;

const queryInfoProperties = {
  query: { type: 'string' },
  plan: { type: 'string', description: "the plan's id: SHA-256 (hex) of its canonical JSON" },
  outputs: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        fn: { type: 'string', enum: [...aggregateNames(), 'column'], description: "the aggregate, or 'column' for a plain column" },
        column: { type: 'string' },
        scale: { type: 'integer' },
        type: { type: 'object', additionalProperties: true, description: "a plain column's type (docs/ingest.md)" },
        parts: {
          type: 'array',
          items: { type: 'object', properties: { column: { type: 'string' }, part: { type: 'string' } } },
          description: 'the result columns it opens as, and which part of the output each is',
        },
      },
    },
  },
  tables: { type: 'array', items: { type: 'string' } },
  recipients: { type: 'array', items: { type: 'string' } },
  requestedBy: { type: 'string' },
  createdAt: { type: 'string' },
  rows: { type: 'integer' },
  excluded: { type: 'integer', description: 'append-table rows left out by the range check' },
  resultRows: { type: 'integer', description: 'rows of the opened result (for a store root: rows stored)' },
  stored: { type: 'string', description: 'a store root: the table it stores' },
  revealed: {
    type: 'array',
    description: "what the plan's operators opened at run time, as its disclosures declared (a filter's or join's rows, a group-by's groups)",
    items: { type: 'object', properties: { path: { type: 'string' }, fact: { type: 'string' }, value: { type: 'integer' } } },
  },
  privacy: { type: 'object', additionalProperties: true, description: 'the differentially private noise in the opened values: mechanism, epsilon or rho spent, per column its sensitivity and noise (docs/statistics.md)' },
  design: { type: 'boolean', description: 'design mode: computed on dummy tables, not on real data' },
} as const;

const sealedShares = {
  type: 'array',
  items: { type: 'object', required: ['node', 'envelope'], properties: { node: { type: 'integer' }, envelope: { type: 'string', description: 'sealed result share, base64' } } },
} as const;

const signedHeaders = {
  type: 'object',
  properties: {
    'x-tessera-signer': { type: 'string', description: "signer's Ed25519 key (SPKI base64)" },
    'x-tessera-timestamp': { type: 'string' },
    'x-tessera-nonce': { type: 'string' },
    'x-tessera-signature': { type: 'string' },
  },
} as const;

const errors = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' }, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' }, 410: { $ref: 'Error#' }, 503: { $ref: 'Error#' } } as const;

/** A query's state (GET and DELETE /v1/queries/:query answer with it). */
const queryStatus = {
  type: 'object',
  required: ['query', 'state'],
  properties: {
    query: { type: 'string' },
    state: { type: 'string', enum: ['queued', 'running', 'done', 'failed'] },
    reason: { type: 'string', description: 'why it failed; for running, what it waits for' },
    info: { type: 'object', properties: queryInfoProperties },
    job: jobStatus,
  },
} as const;

export const routeSchemas = {
  health: {
    summary: 'Node status (no signature)',
    tags: ['node'],
    response: {
      200: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['ok', 'degraded'] },
          version: { type: 'string' },
          node: { type: 'object', properties: { index: { type: 'integer' }, name: { type: 'string' } } },
          collaboration: { type: 'object', properties: { id: { type: 'string' }, hash: { type: 'string' } } },
          peers: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, name: { type: 'string' }, connected: { type: 'boolean' } } } },
          tables: { type: 'integer' },
          warmUp: { type: 'object', description: 'the start-up warm-up, when it ran: wall and CPU milliseconds, workloads failed', properties: { wallMs: { type: 'integer' }, cpuMs: { type: 'integer' }, failed: { type: 'integer' } } },
        },
      },
    },
  },
  listTables: {
    summary: 'List tables (public metadata); a table damaged at this node is listed with the file and the reason',
    tags: ['tables'],
    headers: signedHeaders,
    response: { 200: { type: 'array', items: { anyOf: [{ $ref: 'TableInfo#' }, { $ref: 'DamagedTableInfo#' }] } }, ...errors },
  },
  getTable: { summary: 'One table (public metadata)', tags: ['tables'], headers: signedHeaders, params: { type: 'object', properties: { name: tableName }, required: ['name'] }, response: { 200: { $ref: 'TableInfo#' }, ...errors } },
  putTable: {
    summary: 'Upload a table: body is a Tessera frame (header + one sealed envelope per node); role input',
    tags: ['tables'],
    consumes: ['application/vnd.tessera.frame'],
    headers: signedHeaders,
    params: { type: 'object', properties: { name: tableName }, required: ['name'] },
    response: { 201: { $ref: 'TableInfo#' }, ...errors },
  },
  deleteTable: { summary: "Delete a table or append table (its owner only)", tags: ['tables'], headers: signedHeaders, params: { type: 'object', properties: { name: tableName }, required: ['name'] }, response: { 204: { type: 'null' }, ...errors } },
  putAppendTable: {
    summary: 'Create an empty append table; role input',
    tags: ['append tables'],
    headers: signedHeaders,
    params: { type: 'object', properties: { name: tableName }, required: ['name'] },
    body: { type: 'object', required: ['schema'], additionalProperties: false, properties: { schema: schemaJson } },
    response: { 201: { $ref: 'TableInfo#' }, ...errors },
  },
  getAppendTable: {
    summary: "An append table's schema, for a contributor holding a credential (header x-tessera-credential)",
    tags: ['append tables'],
    headers: { type: 'object', properties: { [CREDENTIAL_HEADER]: { type: 'string', description: 'base64 of the credential JSON' } } },
    params: { type: 'object', properties: { name: tableName }, required: ['name'] },
    response: { 200: { type: 'object', properties: { name: { type: 'string' }, owner: { type: 'string' }, schema: schemaJson } }, ...errors },
  },
  contribute: {
    summary: 'Add one row (body: Tessera frame with the credential and one sealed envelope per node); no signature, the credential authorises (header x-tessera-credential, checked before the body is read; the frame carries the same)',
    tags: ['append tables'],
    consumes: ['application/vnd.tessera.frame'],
    headers: { type: 'object', properties: { [CREDENTIAL_HEADER]: { type: 'string', description: 'base64 of the credential JSON' } }, required: [CREDENTIAL_HEADER] },
    params: { type: 'object', properties: { name: tableName }, required: ['name'] },
    response: {
      201: { type: 'object', properties: { table: { type: 'string' }, contributor: { type: 'string' }, submission: { type: 'string' }, status: { type: 'string', enum: ['stored', 'already-stored'] } } },
      200: { type: 'object', properties: { table: { type: 'string' }, contributor: { type: 'string' }, submission: { type: 'string' }, status: { type: 'string', enum: ['stored', 'already-stored'] } } },
      ...errors,
    },
  },
  postQuery: {
    summary: `Run a query plan (docs/plan.md; aggregates: ${aggregateNames().join(', ')}); role analyst; every recipient needs role output`,
    tags: ['queries'],
    headers: signedHeaders,
    body: {
      type: 'object',
      required: ['plan'],
      additionalProperties: false,
      properties: {
        plan: {
          type: 'object',
          description: `a query plan, version ${PLAN_VERSION}: { version, root: { op: 'open', to: [recipients], input: { op: 'aggregate', aggregates: [{ name, fn, column? }], input: scan | concat } } }; every node checks it and names the place of any problem. Aggregates: ${aggregates().map((f) => `${f.name}: ${f.description}`).join('; ')}`,
        },
        script: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'the approved script this plan is the next step of (docs/governance.md); needed in production mode' },
        design: { type: 'boolean', description: 'design mode: run on the dummy tables (never real ones), no script needed (docs/governance.md)' },
      },
    },
    response: {
      202: {
        type: 'object',
        required: ['query', 'state', 'plan'],
        description: 'admitted: the query runs as a job; ask GET /v1/queries/{query} for its state and progress',
        properties: { query: { type: 'string' }, state: { type: 'string', enum: ['queued', 'running'] }, plan: { type: 'string' } },
      },
      ...errors,
    },
  },
  checkPlan: {
    summary: 'Check a query plan without running it (explain): what it makes public and its estimated cost, as the connected node sees it; role analyst',
    tags: ['queries'],
    headers: signedHeaders,
    body: { type: 'object', required: ['plan'], additionalProperties: false, properties: { plan: { type: 'object', description: `a query plan, version ${PLAN_VERSION} (as for POST /v1/queries)` }, design: { type: 'boolean', description: 'check against the dummy tables' } } },
    response: {
      200: {
        type: 'object',
        properties: {
          planHash: { type: 'string', description: "the plan's id: SHA-256 (hex) of its canonical JSON" },
          node: { type: 'string' },
          tables: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, kind: { type: 'string', enum: ['table', 'append'] }, rows: { type: 'integer' } } } },
          outputs: queryInfoProperties.outputs,
          recipients: { type: 'array', items: { type: 'string' } },
          disclosures: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, what: { type: 'string' } } } },
          cost: { type: 'object', properties: { rounds: { type: 'integer' }, bytesPerParty: { type: 'integer' } } },
          privacy: queryInfoProperties.privacy,
        },
      },
      ...errors,
    },
  },
  getQuery: {
    summary: "A query's state as this node knows it: running, done, or failed with the reason (signed by its requester or a recipient)",
    tags: ['queries'],
    headers: signedHeaders,
    params: { type: 'object', properties: { query: queryId }, required: ['query'] },
    response: { 200: queryStatus, ...errors },
  },
  cancelQuery: {
    summary: 'Cancel a queued or running query at all three nodes (signed by its requester): it fails with the reason "cancelled by <party>"; a completed query is refused (409 QUERY_DONE)',
    tags: ['queries'],
    headers: signedHeaders,
    params: { type: 'object', properties: { query: queryId }, required: ['query'] },
    response: { 200: queryStatus, ...errors },
  },
  getResult: resultRoute("A query's sealed result shares (signed by a recipient)"),
  getResultShare: resultRoute("This node's sealed result share only, without asking its peers (signed by a recipient)"),
} as const;

/** GET of a result: the recipient's sealed shares, and the nodes whose share is missing. */
function resultRoute<S extends string>(summary: S) {
  return {
    summary,
    tags: ['queries'],
    headers: signedHeaders,
    params: { type: 'object', properties: { query: queryId }, required: ['query'] },
    response: {
      200: {
        type: 'object',
        properties: {
          ...queryInfoProperties,
          shares: sealedShares,
          missing: { type: 'array', items: { type: 'object', properties: { node: { type: 'integer' }, reason: { type: 'string' } } } },
        },
      },
      ...errors,
    },
  } as const;
}
