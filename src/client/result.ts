/**
 * Opening a result: open each node's sealed share with the recipient's key (bound to the
 * collaboration, query, recipient and node), check that the shares fit together (every
 * component is reported by two nodes: client/reconstruct.ts), and decode the
 * values with their aggregates' decoding from the registry (plan/registry.ts).
 */

import { openEnvelope } from '../crypto/envelope.js';
import type { Identity } from '../crypto/identity.js';
import { IntegrityError } from '../errors.js';
import type { Collaboration, NodeIndex } from '../governance/collaboration.js';
import { decodePublicKey } from '../crypto/keys.js';
import { findAggregate, type DecodedValue } from '../plan/registry.js';
import { resultContext, type QueryInfo, type QueryOutputInfo, type SealedShare } from '../wire/api.js';
import { decodeResultShare, type ResultShare } from '../wire/result-payload.js';
import { reconstruct } from './reconstruct.js';

/** One opened output, decoded by its aggregate's registry entry. */
export interface DecodedOutput extends DecodedValue {
  readonly name: string;
  readonly fn: string;
  readonly column?: string;
}

/**
 * An opened result. The top-level value is the plan's first output (the only one for
 * `count/sum/mean`); `outputs` holds every output by name.
 *   count: a number. sum: a number (for integer and boolean columns a bigint when beyond 2^53).
 *   mean: a number (NaN when no row counted), with its sum and count.
 */
export interface QueryResult extends DecodedValue {
  readonly query: string;
  /** The plan's id (its canonical hash). */
  readonly plan: string;
  /** The first output's aggregate and column. */
  readonly op: string;
  readonly column?: string;
  readonly outputs: Readonly<Record<string, DecodedOutput>>;
  readonly tables: readonly string[];
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
  if (info.outputs.length === 0) throw new IntegrityError('the query reports no outputs');
  const outputs: Record<string, DecodedOutput> = {};
  for (const out of info.outputs) outputs[out.name] = decodeOutput(out, r.values);
  const first = outputs[info.outputs[0].name];
  const { name: _name, fn, ...value } = first;
  return { ...value, query: info.query, plan: info.plan, op: fn, outputs, tables: info.tables, rows: info.rows, excluded: info.excluded, nodes: r.nodes };
}

/** One output from its opened parts ("<name>.<part>"), read as signed ring values. */
export function decodeOutput(out: QueryOutputInfo, values: ReadonlyMap<string, bigint>): DecodedOutput {
  const fn = findAggregate(out.fn);
  if (!fn) throw new IntegrityError(`the result holds a '${out.fn}' output, which this client does not know: update the client`);
  const prefix = `${out.name}.`;
  const parts = new Map<string, bigint>();
  for (const name of out.parts) {
    const v = values.get(name);
    if (v === undefined || !name.startsWith(prefix)) throw new IntegrityError(`the result lacks its '${name}' value`);
    parts.set(name.slice(prefix.length), BigInt.asIntN(64, v));
  }
  return { name: out.name, fn: fn.name, ...(out.column !== undefined ? { column: out.column } : {}), ...fn.decode(parts, out.scale) };
}
