/**
 * The node configuration file (`node.json`): which of the three nodes this is, where its
 * collaboration file, keys, certificates and data live, where it listens, and its timeouts.
 *
 *   { "format": "tessera-node/v1",
 *     "index": 0,
 *     "collaboration": "../collaboration.json",
 *     "identity": "node-0.key.json",
 *     "tls": { "cert": "node-0.pem", "key": "node-0.key", "ca": "../certs/ca.pem" },
 *     "dataDir": "data",
 *     "mpc": { "listen": "127.0.0.1:9000" },
 *     "api": { "listen": "127.0.0.1:8443" },
 *     "timeouts": { "connectMs": 10000, "rpcMs": 30000, "mpcMs": 120000, "requestSkewMs": 60000,
 *                   "headersMs": 10000, "requestMs": 300000 },
 *     "log": { "level": "info" },
 *     "bodyLimitBytes": 2147483648,
 *     "tableLimits": { "maxTables": 10000, "maxTablesPerOwner": 2500 },
 *     "limits": { "connections": 1024, "bodyBytesInFlight": 2147483648 },
 *     "jobs": { "concurrent": 2, "queued": 32 },
 *     "warmUp": true }
 *
 * Relative paths are relative to the directory of the configuration file. The peers' MPC
 * addresses and certificate fingerprints come from the collaboration file, so they cannot
 * disagree between the nodes. `warmUp` (default true) runs the start-up warm-up before the node
 * listens (warm-up/warm-up.ts); false starts at once, and the first query pays the compilation. Validation is strict (unknown fields are refused, a typo must not
 * silently drop a setting) and reports every problem at once.
 */

import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { NodeConfigError } from '../errors.js';
import type { NodeIndex } from '../governance/collaboration.js';
import { DEFAULT_JOB_LIMITS, type JobLimits } from './jobs.js';
import { DEFAULT_TABLE_LIMITS, type TableLimits } from './storage/table-index.js';

export const NODE_CONFIG_FORMAT = 'tessera-node/v1';

export interface NodeTimeouts {
  /** Setting up the mesh to the peers, per attempt (the node keeps retrying in the background). */
  readonly connectMs: number;
  /** One request to a peer node (staging an upload, an append, fetching a result share). */
  readonly rpcMs: number;
  /** How long a peer may stay silent inside a computation (query). */
  readonly mpcMs: number;
  /** Accepted clock difference for signed client requests. */
  readonly requestSkewMs: number;
  /** A client's TLS handshake, and then each request's headers, must arrive within this. */
  readonly headersMs: number;
  /** A whole request, body included, must arrive within this (bounds slow bodies). */
  readonly requestMs: number;
}

export const DEFAULT_TIMEOUTS: NodeTimeouts = { connectMs: 10_000, rpcMs: 60_000, mpcMs: 120_000, requestSkewMs: 60_000, headersMs: 10_000, requestMs: 300_000 };

/** Large uploads arrive as one body: 1M rows x 5 columns is about 80 MB for the node holding a full component. */
export const DEFAULT_BODY_LIMIT_BYTES = 2 ** 31;

/** Bounds on what clients can make a node hold (docs/system.md, "Memory bounds"). */
export interface NodeLimits {
  /** Open client connections; more are closed as they arrive. */
  readonly connections: number;
  /** Upload bodies held at once, in bytes, across all requests; an upload beyond it is refused (503, retry). */
  readonly bodyBytesInFlight: number;
}

export const DEFAULT_LIMITS: NodeLimits = { connections: 1024, bodyBytesInFlight: DEFAULT_BODY_LIMIT_BYTES };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** A validated configuration with absolute paths. */
export interface NodeConfig {
  readonly index: NodeIndex;
  readonly collaborationFile: string;
  readonly identityFile: string;
  readonly tls: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  readonly dataDir: string;
  readonly mpcListen: HostPort;
  readonly apiListen: HostPort;
  readonly timeouts: NodeTimeouts;
  readonly logLevel: LogLevel;
  readonly bodyLimitBytes: number;
  /** Bounds on the tables the node keeps (docs/storage.md, "Bounds on tables"). */
  readonly tableLimits: TableLimits;
  readonly limits: NodeLimits;
  /** Queries this node coordinates at once, and waiting (docs/system.md, "Jobs"). */
  readonly jobs: JobLimits;
  /** Whether the node runs its start-up warm-up before it listens (docs/system.md, "Start-up warm-up"). */
  readonly warmUp: boolean;
}

const HOST_PORT = /^(?<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(?<port>[0-9]{1,5})$/;

export async function loadNodeConfig(path: string): Promise<NodeConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'I/O error';
    throw new NodeConfigError(path, [`cannot read the file (${code}); check the path given with --config`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new NodeConfigError(path, ['the file is not valid JSON']);
  }
  return parseNodeConfig(value, dirname(resolve(path)), path);
}

/** Validates a parsed configuration; relative paths are resolved against `baseDir`. */
export function parseNodeConfig(value: unknown, baseDir: string, source = 'node configuration'): NodeConfig {
  const problems: string[] = [];
  if (!isObject(value)) throw new NodeConfigError(source, ['the top level must be a JSON object']);
  onlyFields(value, ['format', 'index', 'collaboration', 'identity', 'tls', 'dataDir', 'mpc', 'api', 'timeouts', 'log', 'bodyLimitBytes', 'tableLimits', 'limits', 'jobs', 'warmUp'], 'the file', problems);
  if (value.format !== NODE_CONFIG_FORMAT) problems.push(`"format" must be "${NODE_CONFIG_FORMAT}"`);
  const index = value.index;
  if (index !== 0 && index !== 1 && index !== 2) problems.push('"index" must be 0, 1 or 2: the position of this node in the collaboration\'s "nodes" list');
  const path = (v: unknown, field: string): string => {
    if (typeof v !== 'string' || v.length === 0) {
      problems.push(`"${field}" must be a file path (relative to the configuration file, or absolute)`);
      return '';
    }
    return isAbsolute(v) ? v : resolve(baseDir, v);
  };
  const collaborationFile = path(value.collaboration, 'collaboration');
  const identityFile = path(value.identity, 'identity');
  const dataDir = path(value.dataDir, 'dataDir');
  let tls = { certFile: '', keyFile: '', caFile: '' };
  if (!isObject(value.tls)) problems.push('"tls" must be an object { "cert", "key", "ca" } naming PEM files');
  else {
    onlyFields(value.tls, ['cert', 'key', 'ca'], '"tls"', problems);
    tls = { certFile: path(value.tls.cert, 'tls.cert'), keyFile: path(value.tls.key, 'tls.key'), caFile: path(value.tls.ca, 'tls.ca') };
  }
  const listen = (section: unknown, name: string): HostPort => {
    if (!isObject(section)) {
      problems.push(`"${name}" must be an object { "listen": "host:port" }`);
      return { host: '', port: 0 };
    }
    onlyFields(section, ['listen'], `"${name}"`, problems);
    const match = typeof section.listen === 'string' ? HOST_PORT.exec(section.listen) : null;
    const port = match?.groups ? Number(match.groups.port) : -1;
    if (!match?.groups || port < 0 || port > 65535) {
      problems.push(`"${name}.listen" must be host:port with a port from 0 to 65535 (0 picks a free port)`);
      return { host: '', port: 0 };
    }
    return { host: match.groups.host.replace(/^\[|\]$/g, ''), port };
  };
  const mpcListen = listen(value.mpc, 'mpc');
  const apiListen = listen(value.api, 'api');
  const timeouts = { ...DEFAULT_TIMEOUTS };
  if (value.timeouts !== undefined) {
    if (!isObject(value.timeouts)) problems.push('"timeouts" must be an object');
    else {
      const keys = Object.keys(DEFAULT_TIMEOUTS) as (keyof NodeTimeouts)[];
      onlyFields(value.timeouts, keys, '"timeouts"', problems);
      for (const key of keys) {
        const t = value.timeouts[key];
        if (t === undefined) continue;
        if (typeof t !== 'number' || !Number.isInteger(t) || t < 100 || t > 86_400_000) problems.push(`"timeouts.${key}" must be a whole number of milliseconds from 100 to 86400000`);
        else (timeouts as Record<keyof NodeTimeouts, number>)[key] = t;
      }
    }
  }
  let logLevel: LogLevel = 'info';
  if (value.log !== undefined) {
    if (!isObject(value.log)) problems.push('"log" must be an object { "level" }');
    else {
      onlyFields(value.log, ['level'], '"log"', problems);
      if (value.log.level !== undefined) {
        if (!(LOG_LEVELS as readonly unknown[]).includes(value.log.level)) problems.push(`"log.level" must be one of ${LOG_LEVELS.join(', ')}`);
        else logLevel = value.log.level as LogLevel;
      }
    }
  }
  let bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES;
  if (value.bodyLimitBytes !== undefined) {
    const b = value.bodyLimitBytes;
    if (typeof b !== 'number' || !Number.isSafeInteger(b) || b < 1024 || b > 2 ** 32) problems.push('"bodyLimitBytes" must be a whole number of bytes from 1024 to 4294967296');
    else bodyLimitBytes = b;
  }
  const tableLimits = { ...DEFAULT_TABLE_LIMITS };
  if (value.tableLimits !== undefined) {
    if (!isObject(value.tableLimits)) problems.push('"tableLimits" must be an object { "maxTables", "maxTablesPerOwner" }');
    else {
      const keys = Object.keys(DEFAULT_TABLE_LIMITS) as (keyof TableLimits)[];
      onlyFields(value.tableLimits, keys, '"tableLimits"', problems);
      for (const key of keys) {
        const n = value.tableLimits[key];
        if (n === undefined) continue;
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > 1_000_000) problems.push(`"tableLimits.${key}" must be a whole number from 1 to 1000000`);
        else (tableLimits as Record<keyof TableLimits, number>)[key] = n;
      }
    }
  }
  const limits = { ...DEFAULT_LIMITS, bodyBytesInFlight: Math.max(DEFAULT_LIMITS.bodyBytesInFlight, bodyLimitBytes) };
  if (value.limits !== undefined) {
    if (!isObject(value.limits)) problems.push('"limits" must be an object { "connections", "bodyBytesInFlight" }');
    else {
      onlyFields(value.limits, ['connections', 'bodyBytesInFlight'], '"limits"', problems);
      const c = value.limits.connections;
      if (c !== undefined) {
        if (typeof c !== 'number' || !Number.isInteger(c) || c < 16 || c > 65_536) problems.push('"limits.connections" must be a whole number from 16 to 65536');
        else limits.connections = c;
      }
      const f = value.limits.bodyBytesInFlight;
      if (f !== undefined) {
        if (typeof f !== 'number' || !Number.isSafeInteger(f) || f < bodyLimitBytes || f > 2 ** 40) problems.push(`"limits.bodyBytesInFlight" must be a whole number of bytes from bodyLimitBytes (${bodyLimitBytes}) to 1099511627776: one upload of the largest size must fit`);
        else limits.bodyBytesInFlight = f;
      }
    }
  }
  const jobs = { ...DEFAULT_JOB_LIMITS };
  if (value.jobs !== undefined) {
    if (!isObject(value.jobs)) problems.push('"jobs" must be an object { "concurrent", "queued" }');
    else {
      onlyFields(value.jobs, ['concurrent', 'queued'], '"jobs"', problems);
      for (const [key, min] of [['concurrent', 1], ['queued', 0]] as const) {
        const n = value.jobs[key];
        if (n === undefined) continue;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > 10_000) problems.push(`"jobs.${key}" must be a whole number from ${min} to 10000`);
        else jobs[key] = n;
      }
    }
  }
  if (value.warmUp !== undefined && typeof value.warmUp !== 'boolean') problems.push('"warmUp" must be true (run the start-up warm-up before listening; the default) or false (start at once)');
  if (problems.length > 0) throw new NodeConfigError(source, problems);
  return {
    index: index as NodeIndex,
    collaborationFile,
    identityFile,
    tls,
    dataDir,
    mpcListen,
    apiListen,
    timeouts,
    logLevel,
    bodyLimitBytes,
    tableLimits,
    limits,
    jobs,
    warmUp: value.warmUp !== false,
  };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function onlyFields(value: Json, allowed: readonly string[], where: string, problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push(`${where}: unknown field "${key}" (allowed: ${allowed.join(', ')})`);
  }
}
