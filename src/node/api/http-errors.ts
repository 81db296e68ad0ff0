/**
 * HTTP statuses for Tessera error codes. Error bodies are always { error: { code, message } };
 * messages are Tessera's own (they never hold a value or a share). An error that is not a
 * Tessera error is a bug: the client gets a generic message, the node's log gets the details.
 */

const STATUS: Readonly<Record<string, number>> = {
  REQUEST_REJECTED: 401,
  FORBIDDEN: 403,
  GOVERNANCE: 403,
  CREDENTIAL_INVALID: 403,
  TABLE_NOT_FOUND: 404,
  RESULT_NOT_FOUND: 404,
  QUERY_FAILED: 410,
  QUERY_PENDING: 503,
  QUEUE_FULL: 503,
  QUERY_DONE: 409,
  NOT_FOUND: 404,
  TABLE_EXISTS: 409,
  TABLE_LIMIT: 409,
  DUPLICATE_CONTRIBUTOR: 409,
  CONTRIBUTION_CONFLICT: 409,
  BODY_TOO_LARGE: 413,
  LENGTH_REQUIRED: 411,
  BAD_URL: 400,
  URL_TOO_LONG: 414,
  BAD_REQUEST: 400,
  REQUEST_TIMEOUT: 408,
  HEADERS_TOO_LARGE: 431,
  NODE_BUSY: 503,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION: 400,
  FORMAT: 400,
  SCHEMA: 400,
  DUPLICATE_COLUMN: 400,
  USAGE: 400,
  QUERY: 400,
  INVALID_NAME: 400,
  UNKNOWN_PARTY: 400,
  RANGE_CHECK: 400,
  DECRYPTION_FAILED: 400,
  SIGNATURE_INVALID: 400,
  NODE_UNAVAILABLE: 503,
  PEER_LOST: 503,
  PEER_TIMEOUT: 504,
  PEER_UNREACHABLE: 503,
  SESSION_ABORTED: 503,
  STORAGE_CORRUPT: 500,
  STORAGE_KEY: 500,
  APPEND_TABLE_FAILED: 507,
  INTEGRITY: 500,
  PROTOCOL: 500,
  INTERNAL: 500,
};

export function statusForCode(code: string): number {
  return STATUS[code] ?? 500;
}
