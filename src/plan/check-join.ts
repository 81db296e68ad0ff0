/**
 * Type checking of a join node (plan.ts JoinNode) against its inputs, before any MPC:
 *
 * - every key column exists on its side, and each pair has the same type: kind, decimal scale,
 *   category dictionary. Identifier keys match identifier keys: every data owner of a
 *   collaboration hashes identifiers with the collaboration's one identifier key
 *   (crypto/identifier-key.ts, table/types/identifier.ts), so equal identifiers hash equally
 *   whoever uploaded them.
 * - several key pairs are packed into one sort key, Σ (k_i − lo_i)·w_i, which is exact when the
 *   pairs' declared ranges (both sides joined) span at most 2^62 combinations together; wider keys
 *   are refused (two identifier columns never fit).
 * - a text key pair (any two text bounds) enters the packing as its word when both fit one word
 *   (maxBytes ≤ 7: [0, 2^56)), else as its dense rank among both sides' rows (ops/text-rank.ts),
 *   a value in [0, nL + nR - 1].
 * - the output has the left side's columns, then the right side's other than its keys (equal to
 *   the left keys on every matched row). A right column whose name the left side also has
 *   (ignoring case, as in schemas) is refused: select fewer columns in one side's scan.
 * - a left join makes the right side's columns nullable (null where no right row matched).
 * - kind says whose key is unique: 'many-to-one' (the default) the right side's, 'one-to-many'
 *   the left side's, 'one-to-one' both; the node checks it on the data (a duplicate stops the
 *   query). 'many-to-many' (check-join-many.ts) has no unique side: its output bound is declared.
 * - the bound on output rows: the foreign side's rows for an inner join (the smaller side's for
 *   one-to-one), the left side's for a left join, both sides' for a left join keeping the unique
 *   (primary) left side.
 */

import { PlanError } from '../errors.js';
import type { CheckedTable, Disclosure } from './check.js';
import { checkedManyToMany } from './check-join-many.js';
import type { JoinHow, JoinKind, JoinMode, JoinNode } from './plan.js';
import { describeFacts, type ColumnFacts, type TableType } from './types.js';
import { textWordCount } from '../table/types/text.js';

/** How one key pair enters the packed sort key: (value − min) · weight. */
export interface KeyPacking {
  readonly min: bigint;
  readonly weight: bigint;
  /** A text pair of several words, packed by its dense rank over both sides (ops/text-rank.ts). */
  readonly rank?: boolean;
}

export interface CheckedJoin {
  readonly op: 'join';
  readonly path: string;
  readonly type: TableType;
  readonly left: CheckedTable;
  readonly right: CheckedTable;
  readonly keys: readonly { readonly left: ColumnFacts; readonly right: ColumnFacts }[];
  /** One entry per key pair (a single key is used as it is: weight 1, min 0). */
  readonly packing: readonly KeyPacking[];
  readonly how: JoinHow;
  readonly kind: JoinKind;
  readonly mode: JoinMode;
  /** The side whose key is unique (the primary key); the other side holds the foreign key. */
  readonly primary: 'left' | 'right';
  /** The right side's columns in the output (its keys left out), as they come out. */
  readonly rightColumns: readonly ColumnFacts[];
}

/** A packed key takes values in [0, 2^62): signed, and far from the ring's edges. */
const PACKED_LIMIT = 1n << 62n;

export function checkJoin(node: JoinNode, path: string, checkInput: (node: JoinNode['left'], path: string) => CheckedTable, disclosures: Disclosure[]): CheckedJoin {
  const kind = node.kind ?? 'many-to-one';
  const left = checkInput(node.left, `${path}/left`);
  const right = checkInput(node.right, `${path}/right`);
  const keys = node.on.map((pair, i) => {
    const l = findKey(left.type, pair.left, `${path}/on/${i}/left`, 'left');
    const r = findKey(right.type, pair.right, `${path}/on/${i}/right`, 'right');
    const same = l.kind === r.kind && l.scale === r.scale && JSON.stringify(l.dictionary ?? null) === JSON.stringify(r.dictionary ?? null);
    if (!same) {
      throw new PlanError(`${path}/on/${i}`, `cannot join '${l.name}' (${describeFacts(l)}) with '${r.name}' (${describeFacts(r)}): join keys have the same type (and decimal scale, and category dictionary); upload them with the same type`);
    }
    return { left: l, right: r };
  });
  const packing = packKeys(keys, left.type.maxRows + right.type.maxRows, `${path}/on`);
  const rightKeys = new Set(node.on.map((k) => k.right));
  const leftNames = new Map(left.type.columns.map((c) => [c.name.toLowerCase(), c.name]));
  const rightColumns = right.type.columns
    .filter((c) => !rightKeys.has(c.name))
    .map((c) => {
      const clash = leftNames.get(c.name.toLowerCase());
      if (clash !== undefined) {
        throw new PlanError(`${path}/right`, `column '${c.name}' of the right side has the name of the left side's column '${clash}'; the output needs distinct names: leave it out of one side's scan (list the columns you need)`);
      }
      return node.how === 'left' ? { ...c, nullable: true } : c;
    });
  const primary: 'left' | 'right' = kind === 'one-to-many' ? 'left' : 'right';
  const mode = node.mode ?? 'reveal-count';
  const [nL, nR] = [left.type.maxRows, right.type.maxRows];
  if (kind === 'many-to-many') return checkedManyToMany(node, path, left, right, keys, packing, rightColumns, disclosures);
  const maxRows = node.how === 'left' ? (primary === 'left' ? nL + nR : nL) : kind === 'one-to-one' ? Math.min(nL, nR) : primary === 'left' ? nR : nL;
  const keyList = (side: 'left' | 'right'): string => keys.map((k) => k[side].name).join(', ');
  const unique: readonly ('left' | 'right')[] = kind === 'one-to-one' ? ['left', 'right'] : [primary];
  for (const side of unique) {
    disclosures.push({ path, what: `whether the ${side} side's key (${keyList(side)}) is unique among its rows with a key (a duplicate stops the query)` });
  }
  disclosures.push({
    path,
    what: mode === 'reveal-count'
      ? 'how many rows this join outputs (opened on shuffled rows, so which rows matched stays secret)'
      : `nothing but its bound: the output keeps all ${nL + nR} stacked input rows with a secret validity column`,
  });
  return { op: 'join', path, type: { columns: [...left.type.columns, ...rightColumns], maxRows }, left, right, keys, packing, how: node.how, kind, mode, primary, rightColumns };
}

function findKey(t: TableType, name: string, path: string, side: string): ColumnFacts {
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new PlanError(path, `the ${side} side of this join has no column '${name}' (it has ${t.columns.map((x) => x.name).join(', ') || 'no columns'}); scan it on that side`);
  return c;
}

/** Weights of the mixed-radix packing over the pairs' joined ranges, or a refusal when they overflow 2^62. */
function packKeys(keys: readonly { left: ColumnFacts; right: ColumnFacts }[], stackedRows: number, path: string): KeyPacking[] {
  const ranked = keys.map((k) => k.left.kind === 'text' && textWordCount(Math.max(k.left.maxBytes ?? 0, k.right.maxBytes ?? 0)) > 1);
  const flag = (i: number): { rank?: boolean } => (ranked[i] ? { rank: true } : {});
  if (keys.length === 1) return [{ min: 0n, weight: 1n, ...flag(0) }];
  const ranges = keys.map((k, i) => {
    if (ranked[i]) return { min: 0n, span: BigInt(Math.max(1, stackedRows)) };
    const min = k.left.min < k.right.min ? k.left.min : k.right.min;
    const max = k.left.max > k.right.max ? k.left.max : k.right.max;
    return { min, span: max - min + 1n };
  });
  const total = ranges.reduce((p, r) => p * r.span, 1n);
  if (total > PACKED_LIMIT) {
    throw new PlanError(path, `the ${keys.length} key pairs' declared ranges span ${total} combinations, more than the 2^62 one sort key holds; join on fewer key columns or declare narrower ranges (an identifier key fills the 2^62 alone)`);
  }
  const out: KeyPacking[] = [];
  let weight = 1n;
  for (let i = ranges.length - 1; i >= 0; i--) {
    out.unshift({ min: ranges[i].min, weight, ...flag(i) });
    weight *= ranges[i].span;
  }
  return out;
}
