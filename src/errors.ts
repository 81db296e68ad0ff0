/**
 * Typed errors. Each carries a stable `code` that programs can branch on, and a message that
 * tells a person what happened and what to do. No message ever contains a share or a value.
 */

export class TesseraError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * Where a problem sits in an input table: the column's name and the 1-based data row (row 1 is
 * the first row after a CSV header). Both are public; the cell's value never travels with it.
 */
export interface CellLocation {
  readonly column: string;
  readonly row: number;
}

/** A value is outside a declared range or type. */
export class RangeCheckError extends TesseraError {
  readonly column: string | undefined;
  readonly row: number | undefined;
  constructor(message: string, location?: CellLocation) {
    super('RANGE_CHECK', message);
    this.column = location?.column;
    this.row = location?.row;
  }
}

/** A schema or a column declaration is invalid (bad name, empty range, scale too large, ...). */
export class SchemaError extends TesseraError {
  constructor(message: string) {
    super('SCHEMA', message);
  }
}

/** Two columns have the same name (names are compared case-insensitively). */
export class DuplicateColumnError extends TesseraError {
  constructor(message: string) {
    super('DUPLICATE_COLUMN', message);
  }
}

/** An input file is missing, unreadable, of an unknown format, or not well-formed. */
export class InputFileError extends TesseraError {
  constructor(message: string) {
    super('INPUT_FILE', message);
  }
}

/** A result cannot be written to the output file: it exists (and overwriting was not asked for), its format is unknown or unsupported, or the write failed. */
export class OutputFileError extends TesseraError {
  constructor(message: string) {
    super('OUTPUT_FILE', message);
  }
}

/** An input has no data rows (an empty file, or a CSV with only a header). */
export class EmptyTableError extends TesseraError {
  constructor(message: string) {
    super('EMPTY_TABLE', message);
  }
}

/** A CSV line has more or fewer fields than the header. `line` is the 1-based line in the file. */
export class RaggedRowError extends TesseraError {
  readonly line: number;
  constructor(message: string, line: number) {
    super('RAGGED_ROW', message);
    this.line = line;
  }
}

/**
 * A CSV line is longer than the reader's maximum line size (ReadTableOptions.maxLineSize).
 * `line` is the 1-based line in the file, when it could be told; `maxLineSize` the limit in bytes.
 */
export class LineTooLongError extends TesseraError {
  readonly line: number | undefined;
  readonly maxLineSize: number;
  constructor(message: string, line: number | undefined, maxLineSize: number) {
    super('LINE_TOO_LONG', message);
    this.line = line;
    this.maxLineSize = maxLineSize;
  }
}

/** A cell-level input problem; subclasses say which. */
export abstract class CellError extends TesseraError {
  readonly column: string;
  readonly row: number;
  constructor(code: string, message: string, location: CellLocation) {
    super(code, message);
    this.column = location.column;
    this.row = location.row;
  }
}

/** A value does not parse as its column's type (or has more decimal digits than its scale). */
export class ValueParseError extends CellError {
  constructor(message: string, location: CellLocation) {
    super('VALUE_PARSE', message, location);
  }
}

/** A value of a category column is not in the column's public dictionary. */
export class UnknownCategoryError extends CellError {
  constructor(message: string, location: CellLocation) {
    super('UNKNOWN_CATEGORY', message, location);
  }
}

/** A column that is not declared nullable holds a null (an empty CSV field, null, undefined). */
export class NullValueError extends CellError {
  constructor(message: string, location: CellLocation) {
    super('NULL_VALUE', message, location);
  }
}

/** A column's type cannot be inferred from its values; the caller must declare it. */
export class TypeInferenceError extends TesseraError {
  readonly column: string;
  constructor(message: string, column: string) {
    super('TYPE_INFERENCE', message);
    this.column = column;
  }
}

/** A file column's storage type cannot be read as the column's declared type. */
export class ColumnTypeError extends TesseraError {
  readonly column: string;
  constructor(message: string, column: string) {
    super('COLUMN_TYPE', message);
    this.column = column;
  }
}

/** A peer did not send what the protocol expected within the configured time. */
export class PeerTimeoutError extends TesseraError {
  constructor(message: string) {
    super('PEER_TIMEOUT', message);
  }
}

/** The connection to a peer closed or failed. */
export class PeerLostError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PEER_LOST', message, options);
  }
}

/** Another party stopped this computation and said why. */
export class SessionAbortedError extends TesseraError {
  constructor(message: string) {
    super('SESSION_ABORTED', message);
  }
}

/** A peer sent something that does not follow the protocol (wrong length, wrong identity, ...). */
export class ProtocolError extends TesseraError {
  constructor(message: string) {
    super('PROTOCOL', message);
  }
}

/** The caller used an API wrongly (mismatched lengths, unsupported parameters). */
export class UsageError extends TesseraError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/**
 * A model could not be fitted to these rows, and no estimate is given (never a silent wrong one):
 * `reason` says why (stats/logit-fit.ts: a logistic regression whose Newton steps did not
 * settle, usually because the classes are separated; a singular design; too few rows).
 */
export class ModelFitError extends TesseraError {
  constructor(
    readonly reason: 'not-converged' | 'separation' | 'singular' | 'too-few-rows',
    message: string,
  ) {
    super('MODEL_FIT', message);
  }
}

// ---- keys, envelopes, signatures -----------------------------------------------------------

/** A key file is missing, unreadable, not a Tessera key file, or has unsafe permissions. */
export class KeyFileError extends TesseraError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('KEY_FILE', message, options);
    this.path = path;
  }
}

/** A public or private key is not encoded as expected (wrong algorithm, bad base64, wrong length). */
export class KeyFormatError extends TesseraError {
  constructor(message: string) {
    super('KEY_FORMAT', message);
  }
}

/**
 * Encrypted data could not be opened: it was changed, it is for another key, or it was sealed for
 * another context (replayed). The plaintext is never returned in any of these cases.
 */
export class DecryptionError extends TesseraError {
  constructor(message: string) {
    super('DECRYPTION_FAILED', message);
  }
}

/** Bytes that should be a Tessera envelope or statement are not one (or an unsupported version). */
export class FormatError extends TesseraError {
  constructor(message: string) {
    super('FORMAT', message);
  }
}

/** A signature is missing, does not verify, is by an unexpected key, or is for another payload type. */
export class SignatureError extends TesseraError {
  constructor(message: string) {
    super('SIGNATURE_INVALID', message);
  }
}

export type RequestRejection = 'malformed' | 'unknown-signer' | 'signature' | 'clock-skew' | 'replay' | 'audience';

/** A signed API request was refused; `reason` says which check failed (map it to HTTP 401). */
export class RequestRejectedError extends TesseraError {
  readonly reason: RequestRejection;
  constructor(reason: RequestRejection, message: string) {
    super('REQUEST_REJECTED', message);
    this.reason = reason;
  }
}

// ---- governance ----------------------------------------------------------------------------

/** The collaboration file is invalid; `problems` lists every problem found, one per entry. */
export class CollaborationError extends TesseraError {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(
      'COLLABORATION_INVALID',
      `${source} is not a valid collaboration file:\n` + problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.problems = problems;
  }
}

/** A party or node named in a request is not part of the collaboration. */
export class UnknownPartyError extends TesseraError {
  constructor(message: string) {
    super('UNKNOWN_PARTY', message);
  }
}

// ---- node storage --------------------------------------------------------------------------

/**
 * A stored file failed its integrity check (changed, damaged or truncated on disk). It is never
 * used; `table` and `file` say which one.
 */
export class StorageCorruptionError extends TesseraError {
  readonly table: string;
  readonly file: string;
  /** What the check found (e.g. "authentication tag mismatch"). */
  readonly detail: string;
  /** `node` names the node holding the file, when the error may travel to another node or a client. */
  constructor(table: string, file: string, detail: string, node?: string) {
    super(
      'STORAGE_CORRUPT',
      `table '${table}'${node ? ` is damaged at ${node}` : ''}: file '${file}' failed its integrity check (${detail}). ` +
        'It was changed or damaged on disk and will not be used; restore the data directory from a backup, ' +
        'or delete the table (its owner, through any node) and upload it again.',
    );
    this.table = table;
    this.file = file;
    this.detail = detail;
  }
}

/** The node secret does not open this data directory (it was created with another secret). */
export class StorageKeyError extends TesseraError {
  constructor(message: string) {
    super('STORAGE_KEY', message);
  }
}

/** A table with this name already exists (committed or being staged). */
export class TableExistsError extends TesseraError {
  readonly table: string;
  constructor(table: string, message: string) {
    super('TABLE_EXISTS', message);
    this.table = table;
  }
}

/**
 * Creating one more table would pass a bound on how many tables a node keeps (in all, or for one
 * owner); the message names the bound and its setting. Deleting unused tables makes room.
 */
export class TableLimitError extends TesseraError {
  constructor(message: string) {
    super('TABLE_LIMIT', message);
  }
}

/** No table (or staged table) with this name or id. */
export class TableNotFoundError extends TesseraError {
  readonly table: string;
  constructor(table: string, message: string) {
    super('TABLE_NOT_FOUND', message);
    this.table = table;
  }
}

/** A contributor already has a row in this append table; each contributor may add one. */
export class DuplicateContributorError extends TesseraError {
  readonly table: string;
  constructor(table: string) {
    super('DUPLICATE_CONTRIBUTOR', `append table '${table}' already holds a row from this contributor; each contributor may add one row`);
    this.table = table;
  }
}

/**
 * A contribution could not be settled at all three nodes because another submission by the same
 * contributor is held by some of them and is newer, or changed while this one was being stored.
 * Nothing of this submission counts; submitting again (a new submission, as the SDK does on its
 * own) settles it.
 */
export class ContributionConflictError extends TesseraError {
  constructor(message: string) {
    super('CONTRIBUTION_CONFLICT', message);
  }
}

/** A name (table, column, party, ...) breaks the naming rules; the message states the rule. */
export class InvalidNameError extends TesseraError {
  constructor(message: string) {
    super('INVALID_NAME', message);
  }
}

/** A write to an append table failed (disk full, I/O error); it refuses appends until reopened. */
export class AppendTableFailedError extends TesseraError {
  readonly table: string;
  constructor(table: string, options?: { cause?: unknown }) {
    super(
      'APPEND_TABLE_FAILED',
      `append table '${table}' could not write to disk (disk full or I/O error); appends are refused until the node reopens it`,
      options,
    );
    this.table = table;
  }
}

/** A bug in Tessera itself (not in the caller's input); the message says what failed, never data. */
export class InternalError extends TesseraError {
  constructor(message: string) {
    super('INTERNAL', message);
  }
}

/** Shares or results from the nodes do not fit together: a node is faulty or was tampered with. */
export class IntegrityError extends TesseraError {
  constructor(message: string) {
    super('INTEGRITY', message);
  }
}

/**
 * A peer's certificate is not the one this node trusts for that party (unknown CA, or a valid
 * certificate that is not the pinned one), or the peer refused ours.
 */
export class PeerAuthenticationError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PEER_AUTH', message, options);
  }
}

/** A peer could not be reached before the connect deadline. */
export class PeerUnreachableError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PEER_UNREACHABLE', message, options);
  }
}

/** A job failed inside a party with an error that is not one of Tessera's own (a bug or a user error in the job). */
export class JobError extends TesseraError {
  constructor(message: string) {
    super('JOB_FAILED', message);
  }
}

// ---- nodes and client ----------------------------------------------------------------------

/**
 * A compute node (this one's peer, or the node a client talks to) cannot be reached right now.
 * Nothing was changed by the refused request; retry once the node is back.
 */
export class NodeUnavailableError extends TesseraError {
  /** The node found missing, when the reporter knows it (a lost link, a peer's notice). */
  readonly node?: number;
  constructor(message: string, options?: { cause?: unknown; node?: number }) {
    super('NODE_UNAVAILABLE', message, options);
    if (options?.node !== undefined) this.node = options.node;
  }
}

/** The caller is known but may not do this (wrong role, not the table's owner, not a recipient). */
export class PermissionDeniedError extends TesseraError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/**
 * The collaboration's governance policy refuses this (docs/governance.md): the query is not the
 * next step of an approved script, its approvals do not satisfy the policy, a recipient is not
 * allowed, a group is smaller than the minimum, ... `rule` names the rule, and the message starts
 * with it: "governance rule 'script-step': ...".
 */
export class GovernanceError extends TesseraError {
  readonly rule: string;
  constructor(rule: string, message: string) {
    super('GOVERNANCE', message.startsWith('governance rule ') ? message : `governance rule '${rule}': ${message}`);
    this.rule = message.startsWith('governance rule ') ? (/^governance rule '([^']+)'/.exec(message)?.[1] ?? rule) : rule;
  }
}

/** A contribution credential is missing, malformed, not signed by the table's owner, or for another table. */
export class CredentialError extends TesseraError {
  constructor(message: string) {
    super('CREDENTIAL_INVALID', message);
  }
}

/** A query cannot run as asked (unknown column, a type that cannot be summed, possible overflow, ...). */
export class QueryError extends TesseraError {
  constructor(message: string) {
    super('QUERY', message);
  }
}

/**
 * A query plan is refused before any MPC runs: malformed, of another version, naming an unknown
 * table or column, mixing types, or able to overflow the 64-bit ring. `path` is where in the plan
 * (a JSON pointer such as /root/input/aggregates/0/column); the message names it and what to do.
 * It travels as a QueryError (code QUERY), with the path in its message.
 */
export class PlanError extends QueryError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`plan ${path === '' ? '(whole plan)' : path}: ${message}`);
    this.path = path;
  }
}

/**
 * A SQL statement this release cannot turn into a plan (client side, before anything is sent):
 * a syntax error (DuckDB's parser message, which quotes only the statement), or a construct the
 * plan cannot express yet, named in `construct` (e.g. "WHERE", "JOIN", "window function").
 */
export class SqlError extends TesseraError {
  readonly construct: string | undefined;
  constructor(message: string, construct?: string) {
    super('SQL', message);
    this.construct = construct;
  }
}

/** No result with this query id is kept at the node. */
export class ResultNotFoundError extends TesseraError {
  constructor(message: string) {
    super('RESULT_NOT_FOUND', message);
  }
}

/**
 * The query failed (a node stopped or refused during it): it has no result, at any node, ever.
 * The message says why; running the query again is the remedy.
 */
export class QueryFailedError extends TesseraError {
  constructor(message: string) {
    super('QUERY_FAILED', message);
  }
}

/**
 * This node cannot tell yet whether the query completed at every node: it is still running, or
 * this node computed its share but has not yet heard the coordinator's decision (which it asks
 * for once the three nodes are connected again). Nothing opens until it is decided; retry later.
 */
export class QueryPendingError extends TesseraError {
  constructor(message: string) {
    super('QUERY_PENDING', message);
  }
}

/**
 * The node's job queue is full (docs/system.md, "Jobs"): the query was not admitted and nothing
 * was recorded. Retry once some of the jobs running there have finished, or ask another node.
 */
export class QueueFullError extends TesseraError {
  constructor(message: string) {
    super('QUEUE_FULL', message);
  }
}

/** A cancel came too late: the query completed at every node, and its result stays. */
export class QueryDoneError extends TesseraError {
  constructor(message: string) {
    super('QUERY_DONE', message);
  }
}

/** The node configuration file is invalid; `problems` lists every problem found. */
export class NodeConfigError extends TesseraError {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super('NODE_CONFIG', `${source} is not a valid node configuration:\n` + problems.map((p) => `  - ${p}`).join('\n'));
    this.problems = problems;
  }
}

/**
 * A request was refused by the node with an error code this client does not know as a class
 * (a newer node, or a framework error such as a malformed request). `code` is the node's code.
 */
export class RemoteError extends TesseraError {
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(code, message);
    this.status = status;
  }
}

/**
 * Rebuilds a typed error from its wire form ({ code, message }), as sent between nodes and from
 * nodes to clients, so that callers can use `instanceof` on either side of a connection.
 */
export function errorFromWire(code: string, message: string, status = 500): TesseraError {
  switch (code) {
    case 'NODE_UNAVAILABLE': return new NodeUnavailableError(message);
    case 'FORBIDDEN': return new PermissionDeniedError(message);
    case 'CREDENTIAL_INVALID': return new CredentialError(message);
    case 'GOVERNANCE': return new GovernanceError('', message);
    case 'QUERY': return new QueryError(message);
    case 'RESULT_NOT_FOUND': return new ResultNotFoundError(message);
    case 'QUERY_FAILED': return new QueryFailedError(message);
    case 'QUERY_PENDING': return new QueryPendingError(message);
    case 'QUEUE_FULL': return new QueueFullError(message);
    case 'QUERY_DONE': return new QueryDoneError(message);
    case 'TABLE_EXISTS': return new TableExistsError('', message);
    case 'TABLE_NOT_FOUND': return new TableNotFoundError('', message);
    case 'TABLE_LIMIT': return new TableLimitError(message);
    case 'DUPLICATE_CONTRIBUTOR': return withMessage(new DuplicateContributorError(''), message);
    case 'CONTRIBUTION_CONFLICT': return new ContributionConflictError(message);
    case 'REQUEST_REJECTED': return new RequestRejectedError('malformed', message);
    case 'UNKNOWN_PARTY': return new UnknownPartyError(message);
    case 'SCHEMA': return new SchemaError(message);
    case 'RANGE_CHECK': return new RangeCheckError(message);
    case 'INVALID_NAME': return new InvalidNameError(message);
    case 'FORMAT': return new FormatError(message);
    case 'USAGE': return new UsageError(message);
    case 'DECRYPTION_FAILED': return new DecryptionError(message);
    case 'SIGNATURE_INVALID': return new SignatureError(message);
    case 'INTEGRITY': return new IntegrityError(message);
    case 'STORAGE_CORRUPT': return withMessage(new StorageCorruptionError('', '', ''), message);
    case 'APPEND_TABLE_FAILED': return withMessage(new AppendTableFailedError(''), message);
    case 'PEER_LOST': return new PeerLostError(message);
    case 'PEER_TIMEOUT': return new PeerTimeoutError(message);
    case 'PEER_UNREACHABLE': return new PeerUnreachableError(message);
    case 'SESSION_ABORTED': return new SessionAbortedError(message);
    case 'PROTOCOL': return new ProtocolError(message);
    case 'INTERNAL': return new InternalError(message);
    default: return new RemoteError(code, message, status);
  }
}

function withMessage<E extends TesseraError>(error: E, message: string): E {
  error.message = message;
  return error;
}
