/**
 * Opening a result: open each node's sealed share with the recipient's key (bound to the
 * collaboration, query, recipient and node), check that the shares fit together (every
 * component is reported by two nodes: client/reconstruct.ts), and decode the table: aggregates
 * with their registry entry's decoding (plan/registry.ts), plain columns by their type.
 */

import { openEnvelope } from '../crypto/envelope.js';
import type { Identity } from '../crypto/identity.js';
import { IntegrityError } from '../errors.js';
import type { Collaboration, NodeIndex } from '../governance/collaboration.js';
import { decodePublicKey } from '../crypto/keys.js';
import { findAggregate, type DecodedValue } from '../plan/registry.js';
import { resultContext, type PrivacyReport, type QueryInfo, type QueryOutputInfo } from '../wire/api.js';
import type { SealedShareBytes } from '../wire/result-frame.js';
import { decodeResultShare, type ResultShare } from '../wire/result-payload.js';
import { parseColumnType } from '../table/column-type.js';
import { valueDecoder } from '../table/decode.js';
import type { TypeFields } from '../table/types/common.js';
import { reconstruct } from './reconstruct.js';
import { lazyExactDecimals, resultColumnType, type ResultColumnType } from './result-types.js';
import { textFromWords, textWordCount } from '../table/types/text.js';
import { integerDecoder } from '../table/types/integer.js';
import { cellColumn, keptRows, numberColumn, tableOfColumns, type ResultColumn } from './result-columns.js';

/** One opened aggregate, decoded by its registry entry. */
export interface DecodedOutput extends DecodedValue {
  readonly name: string;
  readonly fn: string;
  readonly column?: string;
}

/** A cell of an opened table: an aggregate's value, or a column's value decoded by its type; null where it is null. */
export type ResultCell = number | bigint | string | boolean | null;

/** An opened table: the outputs' names in order, and its rows (rows the plan's secret validity marked invalid are left out). */
export interface ResultTable {
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, ResultCell>>[];
}

/**
 * An opened result: always a table (`table`); a one-row result of aggregates (count/sum/mean of
 * a whole table) also reads as scalars: the top-level value is the plan's first output, and
 * `outputs` holds every aggregate by name (empty for any other result).
 *   count: a number. sum: a number (for integer and boolean columns a bigint when beyond 2^53).
 *   mean: a number (NaN when no row counted), with its sum and count.
 * An aggregate without a value is NaN as a scalar (`value`, `outputs`) and null in `table`
 * (mean/min/max of nothing, var/std below two values, a suppressed crosstab cell), as SQL's null.
 */
export interface QueryResult extends Partial<DecodedValue> {
  readonly query: string;
  /** The plan's id (its canonical hash). */
  readonly plan: string;
  /** The first output's aggregate ('column' for a plain column) and column. */
  readonly op: string;
  readonly column?: string;
  readonly outputs: Readonly<Record<string, DecodedOutput>>;
  readonly table: ResultTable;
  /** Each column's type, by name: how its cells were decoded (client/result-types.ts; writeResult writes them with it). */
  readonly columnTypes: Readonly<Record<string, ResultColumnType>>;
  /** The exact text of each decimal column's cells (its doubles in `table` may round beyond 15 digits), row for row. */
  readonly exactDecimals: Readonly<Record<string, readonly (string | null)[]>>;
  readonly tables: readonly string[];
  /** Rows the query looked at, and append-table rows the nodes' range check left out. */
  readonly rows: number;
  readonly excluded: number;
  /** Nodes whose shares were combined (two suffice; three are cross-checked completely). */
  readonly nodes: readonly number[];
  /** The differentially private noise in the values: the mechanism, the ε (or ρ) spent, per column its sensitivity and noise. */
  readonly privacy?: PrivacyReport;
  /** Design mode: computed on dummy tables, not on real data (docs/governance.md, "Design mode"). */
  readonly design?: true;
}

export function openResult(collaboration: Collaboration, identity: Identity, info: QueryInfo, shares: readonly SealedShareBytes[]): QueryResult {
  const opened: ResultShare[] = shares.map(({ node, envelope }) => {
    if (node !== 0 && node !== 1 && node !== 2) throw new IntegrityError(`a result share claims to come from node ${node}`);
    const signingKey = collaboration.node(node as NodeIndex).signingKey;
    const options = signingKey ? { expectedSender: decodePublicKey(signingKey, 'ed25519', `signing key of node ${node}`) } : {};
    const { payload } = openEnvelope(envelope, identity.encryptionPrivateKey, resultContext(collaboration.id, info.query, identity.name, node), options);
    const share = decodeResultShare(payload);
    if (share.node !== node || share.query !== info.query) throw new IntegrityError(`the share from node ${node} is for another node or query`);
    return share;
  });
  const r = reconstruct(opened);
  if (r.public.rows !== info.rows || r.public.excluded !== info.excluded || r.rows !== info.resultRows) throw new IntegrityError('the result shares and the query report different row counts');
  if (info.outputs.length === 0) throw new IntegrityError('the query reports no outputs');
  const table = decodeTable(info.outputs, r.columns, r.rows);
  const outputs: Record<string, DecodedOutput> = {};
  if (r.rows === 1) {
    for (const out of info.outputs) if (out.fn !== 'column') outputs[out.name] = decodeOutput(out, r.columns, 0);
  }
  const columnTypes = Object.fromEntries(info.outputs.map((out) => [out.name, resultColumnType(out)]));
  // The exact texts are formatted when first read (100K decimals: ~75 ms in a fresh process), from the values checked here.
  const exactDecimals = lazyExactDecimals(info.outputs, r.columns, r.rows);
  const first = outputs[info.outputs[0].name];
  const scalar = first ? (({ name: _name, fn: _fn, column: _column, ...value }) => value)(first) : {};
  const result = { ...scalar, query: info.query, plan: info.plan, op: info.outputs[0].fn, ...(info.outputs[0].column !== undefined ? { column: info.outputs[0].column } : {}), outputs, table, columnTypes, exactDecimals: {}, tables: info.tables, rows: info.rows, excluded: info.excluded, nodes: r.nodes, ...(info.privacy ? { privacy: info.privacy } : {}), ...(info.design ? { design: true as const } : {}) };
  Object.defineProperty(result, 'exactDecimals', { enumerable: true, get: exactDecimals });
  return result;
}

/**
 * Every row of the opened table, each output decoded; rows whose "$valid" is 0 are dropped
 * (ops/open.ts). Decoded column by column (client/result-columns.ts): the rows are built when
 * first read, and tableColumn reads a column without them.
 */
export function decodeTable(outputs: readonly QueryOutputInfo[], columns: ReadonlyMap<string, BigUint64Array>, rows: number): ResultTable {
  const kept = keptRows(columns, rows);
  const decoded = outputs.map((out): ResultColumn => {
    const divisor = plainNumberDivisor(out);
    if (divisor !== undefined) return numberColumn(resultColumn(columns, out, 'value'), divisor, rows, kept);
    return cellColumn(cellDecoder(out, columns), rows, kept);
  });
  return tableOfColumns(outputs, decoded, kept ? kept.length : rows);
}

/** 10^scale for a plain column whose every cell is the double Number(v) / 10^scale (a decimal, or an integer of the safe range, without nulls); else undefined. */
function plainNumberDivisor(out: QueryOutputInfo): number | undefined {
  if (out.fn !== 'column' || !out.type || out.parts.some((p) => p.part === 'present')) return undefined;
  const type = parseColumnType(out.type as unknown as TypeFields, out.name);
  if (type.kind === 'decimal') return 10 ** type.scale;
  if (type.kind === 'integer' && typeof integerDecoder(type)(0n) === 'number') return 1;
  return undefined;
}

function cellDecoder(out: QueryOutputInfo, columns: ReadonlyMap<string, BigUint64Array>): (row: number) => ResultCell {
  if (out.fn !== 'column') {
    // SQL's null where an aggregate has no value: a present bit of 0 (min/max of no value, a
    // suppressed crosstab cell), or NaN from the registry (mean of nothing, var/std below two values).
    const present = out.parts.some((p) => p.part === 'present') ? resultColumn(columns, out, 'present') : undefined;
    return (row) => {
      if (present && present[row] === 0n) return null;
      const value = decodeOutput(out, columns, row).value;
      return typeof value === 'number' && Number.isNaN(value) ? null : value;
    };
  }
  if (!out.type) throw new IntegrityError(`the result's column '${out.name}' has no type`);
  const type = parseColumnType(out.type as unknown as TypeFields, out.name);
  if (type.kind === 'text') return textCellDecoder(out, type.maxBytes, columns);
  const decode = valueDecoder(parseColumnType(out.type as unknown as TypeFields, out.name));
  const values = resultColumn(columns, out, 'value');
  const present = out.parts.some((p) => p.part === 'present') ? resultColumn(columns, out, 'present') : undefined;
  return (row) => {
    if (present && present[row] === 0n) return null;
    return decode(values[row]);
  };
}

/** A text cell from its opened words (part 'value', then 'w1', 'w2', …: plan/text-parts.ts). */
function textCellDecoder(out: QueryOutputInfo, maxBytes: number, columns: ReadonlyMap<string, BigUint64Array>): (row: number) => ResultCell {
  const words = [resultColumn(columns, out, 'value')];
  for (let k = 1; k < textWordCount(maxBytes); k++) words.push(resultColumn(columns, out, `w${k}`));
  const present = out.parts.some((p) => p.part === 'present') ? resultColumn(columns, out, 'present') : undefined;
  return (row) => (present && present[row] === 0n ? null : textFromWords(words.map((w) => w[row])));
}

function resultColumn(columns: ReadonlyMap<string, BigUint64Array>, out: QueryOutputInfo, part: string): BigUint64Array {
  const p = out.parts.find((x) => x.part === part);
  const v = p ? columns.get(p.column) : undefined;
  if (!v) throw new IntegrityError(`the result lacks the ${part} of '${out.name}'`);
  return v;
}

/** One aggregate of row `row` from its opened parts, read as signed ring values. */
export function decodeOutput(out: QueryOutputInfo, columns: ReadonlyMap<string, BigUint64Array>, row: number): DecodedOutput {
  const fn = findAggregate(out.fn);
  if (!fn) throw new IntegrityError(`the result holds a '${out.fn}' output, which this client does not know: update the client`);
  const parts = new Map<string, bigint>();
  for (const p of out.parts) {
    const v = columns.get(p.column);
    if (v === undefined || row >= v.length) throw new IntegrityError(`the result lacks its '${p.column}' value`);
    parts.set(p.part, BigInt.asIntN(64, v[row]));
  }
  return { name: out.name, fn: fn.name, ...(out.column !== undefined ? { column: out.column } : {}), ...fn.decode(parts, out.scale) };
}
