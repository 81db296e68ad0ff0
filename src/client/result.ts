/**
 * Opening a result: open each node's sealed share with the recipient's key (bound to the
 * collaboration, query, recipient and node), check that the shares fit together (every
 * component is reported by two nodes: wire/result-payload.ts `reconstruct`), and decode the
 * value with the column's type: decimals are divided by 10^scale, mean = sum / count.
 */

import { openEnvelope } from '../crypto/envelope.js';
import type { Identity } from '../crypto/identity.js';
import { IntegrityError } from '../errors.js';
import type { Collaboration, NodeIndex } from '../governance/collaboration.js';
import { decodePublicKey } from '../crypto/keys.js';
import { parseColumnSchema } from '../table/schema.js';
import { formatScaled } from '../table/text-grammar.js';
import { resultContext, type AggregateOp, type QueryInfo, type SealedShare } from '../wire/api.js';
import { decodeResultShare, reconstruct, type ResultShare } from '../wire/result-payload.js';

export interface QueryResult {
  readonly query: string;
  readonly op: AggregateOp;
  readonly column?: string;
  readonly tables: readonly string[];
  /**
   * count: a number. sum: a number (for integer and boolean columns a bigint when beyond
   * 2^53). mean: a number (NaN when no row counted).
   */
  readonly value: number | bigint;
  /** The exact value as decimal text (sums and counts; the mean is a quotient and has none). */
  readonly exact?: string;
  /** For a mean: the two values it divides. */
  readonly sum?: number | bigint;
  readonly count?: number;
  /** Rows the query looked at, and append-table rows the nodes' range check left out. */
  readonly rows: number;
  readonly excluded: number;
  /** Nodes whose shares were combined (two suffice; three are cross-checked completely). */
  readonly nodes: readonly number[];
}

export function openResult(collaboration: Collaboration, identity: Identity, info: QueryInfo, shares: readonly SealedShare[]): QueryResult {
  const opened: ResultShare[] = shares.map(({ node, envelope }) => {
    if (node !== 0 && node !== 1 && node !== 2) throw new IntegrityError(`a result share claims to come from node ${node}`);
    const signingKey = collaboration.node(node as NodeIndex).signingKey;
    const options = signingKey ? { expectedSender: decodePublicKey(signingKey, 'ed25519', `signing key of node ${node}`) } : {};
    const { payload } = openEnvelope(Buffer.from(envelope, 'base64'), identity.encryptionPrivateKey, resultContext(collaboration.id, info.query, identity.name, node), options);
    const share = decodeResultShare(payload);
    if (share.node !== node || share.query !== info.query) throw new IntegrityError(`the share from node ${node} is for another node or query`);
    return share;
  });
  const r = reconstruct(opened);
  if (r.public.rows !== info.rows || r.public.excluded !== info.excluded) throw new IntegrityError('the result shares and the query report different row counts');
  const signed = (name: string): bigint => {
    const v = r.values.get(name);
    if (v === undefined) throw new IntegrityError(`the result lacks its '${name}' value`);
    return BigInt.asIntN(64, v);
  };
  const column = info.columnSchema ? parseColumnSchema(info.columnSchema) : undefined;
  const scale = column?.type.kind === 'decimal' ? column.type.scale : 0;
  const base = { query: info.query, op: info.op, ...(info.column ? { column: info.column } : {}), tables: info.tables, rows: info.rows, excluded: info.excluded, nodes: r.nodes };
  if (info.op === 'count') {
    const count = signed('count');
    return { ...base, value: Number(count), exact: count.toString() };
  }
  const sum = signed('sum');
  const sumValue = scale > 0 ? Number(sum) / 10 ** scale : asNumberIfSafe(sum);
  if (info.op === 'sum') return { ...base, value: sumValue, exact: formatScaled(sum, scale) };
  const count = Number(signed('count'));
  const mean = count === 0 ? Number.NaN : Number(sum) / 10 ** scale / count;
  return { ...base, value: mean, sum: sumValue, count };
}

function asNumberIfSafe(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
