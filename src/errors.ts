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
