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

/** A value is outside a declared range or type. */
export class RangeCheckError extends TesseraError {
  constructor(message: string) {
    super('RANGE_CHECK', message);
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
  constructor(table: string, file: string, detail: string) {
    super(
      'STORAGE_CORRUPT',
      `table '${table}': file '${file}' failed its integrity check (${detail}). ` +
        'It was changed or damaged on disk and will not be used; restore the data directory from a backup, ' +
        'or delete the table and upload it again.',
    );
    this.table = table;
    this.file = file;
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
