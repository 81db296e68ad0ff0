/**
 * The CLI's own errors and its exit codes. Errors from the library are TesseraErrors already;
 * the exit code tells scripts what kind of failure it was:
 *
 *   0  success
 *   1  the operation failed or was refused (by a node, by a check on this machine)
 *   2  usage: bad arguments, a missing or invalid file or directory; fix the command line
 *   3  a node or the cluster is not running or not reachable; start it (`tessera cluster up`)
 */

import { TesseraError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNAVAILABLE = 3;

/** A cluster directory is missing, not empty when it must be, or not a cluster directory. */
export class ClusterDirError extends TesseraError {
  constructor(message: string) {
    super('CLUSTER_DIR', message);
  }
}

/** A node process did not start or did not become healthy; the message carries its log's tail. */
export class NodeStartError extends TesseraError {
  constructor(message: string) {
    super('NODE_START', message);
  }
}

const USAGE_CODES = new Set([
  'USAGE',
  'CLUSTER_DIR',
  'KEY_FILE',
  'KEY_FORMAT',
  'COLLABORATION_INVALID',
  'NODE_CONFIG',
  'INVALID_NAME',
  'UNKNOWN_PARTY',
  'INPUT_FILE',
  'OUTPUT_FILE',
  'EMPTY_TABLE',
  'RAGGED_ROW',
  'LINE_TOO_LONG',
  'DUPLICATE_COLUMN',
  'SCHEMA',
  'TYPE_INFERENCE',
  'COLUMN_TYPE',
  'VALUE_PARSE',
  'UNKNOWN_CATEGORY',
  'NULL_VALUE',
  'RANGE_CHECK',
  'SQL',
]);
// A query not decided yet (QUERY_PENDING) opens once the nodes are connected again: like a node that is down.
const UNAVAILABLE_CODES = new Set(['NODE_UNAVAILABLE', 'NODE_START', 'PEER_LOST', 'PEER_TIMEOUT', 'PEER_UNREACHABLE', 'SESSION_ABORTED', 'QUERY_PENDING']);

export function exitCodeFor(error: unknown): number {
  if (error instanceof TesseraError) {
    if (USAGE_CODES.has(error.code)) return EXIT_USAGE;
    if (UNAVAILABLE_CODES.has(error.code)) return EXIT_UNAVAILABLE;
  }
  return EXIT_FAILED;
}
