/**
 * Running a planned count/sum/mean in one MPC session (all three nodes run this same code).
 *
 * 1. Agreement (append-rows.ts, one round, or 2-3 with append tables): the three nodes compare
 *    plan digests (different digests stop the query) and agree on the append-table rows that all
 *    three hold as the same submission with consistent components; no other row is used.
 * 2. Uploaded tables: sums are linear, so each node adds up its two components locally (and
 *    the validity column for counts of a nullable column). A row count is public.
 * 3. Append tables: a client that bypassed the SDK could have stored any 64-bit value, so every
 *    column of every row is checked against its declared range in MPC, in one batched MSB over
 *    all checks: x in [min, max] iff u = x - min (mod 2^64) satisfies u < 2^63 and
 *    (max - min) - u >= 0, which is exact for every x. Nullable columns also check their validity
 *    bit is 0 or 1 (and a null's value is not checked). Rows failing any check get weight 0;
 *    sums are dot products with the weights (one round), and only the number of accepted rows is
 *    opened (it is public: rows - excluded).
 * 4. The result components are re-randomised with masks from the key all three nodes share
 *    (r0 + r1 + r2 = 0), so a recipient sees uniformly random components that add up to the
 *    result and nothing else.
 */

import { QueryError } from '../../errors.js';
import { msb } from '../../mpc/protocols/compare.js';
import { bitInject } from '../../mpc/protocols/convert.js';
import { dot } from '../../mpc/protocols/arith.js';
import { open } from '../../mpc/protocols/io.js';
import { andBits } from '../../mpc/protocols/binary.js';
import type { Session } from '../../mpc/session.js';
import { AShare, BitShare, addConstA, concatA, concatBits, negA, notBits, sliceBits, sumA } from '../../mpc/shares.js';
import { encodedColumnNames, VALIDITY_SUFFIX, type TableSchema } from '../../table/schema.js';
import { decodeColumnComponents, expandComponent } from '../../wire/share-payload.js';
import { decodeContribution } from '../contribution-index.js';
import type { TableStore } from '../storage.js';
import { agreeOnAppendRows, type KeyedRow } from './append-rows.js';
import { checkRange, type PlannedTable, type QueryPlan } from './plan.js';

export interface ResultComponents {
  readonly name: string;
  readonly a: bigint;
  readonly b: bigint;
}

export interface QueryOutcome {
  readonly values: readonly ResultComponents[];
  /** Rows the query looked at (for append tables: rows present at all three nodes). */
  readonly rows: number;
  /** Append-table rows left out by the range check. */
  readonly excluded: number;
}

/** A running sum of replicated components (mod 2^64). */
class Accumulator {
  a = 0n;
  b = 0n;
  add(x: AShare): void {
    const s = sumA(x);
    this.a = BigInt.asUintN(64, this.a + s.a[0]);
    this.b = BigInt.asUintN(64, this.b + s.b[0]);
  }
  addPublic(me: number, c: bigint): void {
    if (me === 0) this.a = BigInt.asUintN(64, this.a + c);
    else if (me === 2) this.b = BigInt.asUintN(64, this.b + c);
  }
}

export async function computeQuery(s: Session, store: TableStore, plan: QueryPlan, describe: (p: number) => string): Promise<QueryOutcome> {
  const appendTables = [];
  for (const t of plan.tables) if (t.kind === 'append') appendTables.push({ name: t.name, rows: await (await store.appendTable(t.name)).readAll() });
  const common = await agreeOnAppendRows(s, plan.digest, appendTables, describe);

  const sum = new Accumulator();
  const count = new Accumulator();
  let rows = 0;
  let excluded = 0;
  const column = plan.column;
  for (const t of plan.tables) {
    if (t.kind === 'table') {
      rows += t.rows;
      await addUploadedTable(s, store, t, plan, sum, count);
    } else {
      const selected = common.get(t.name)!;
      rows += selected.length;
      if (selected.length === 0) continue;
      const accepted = await addAppendTable(s, t, column?.name, selected, sum, count);
      excluded += selected.length - accepted;
    }
  }
  const names = plan.op === 'count' ? ['count'] : plan.op === 'sum' ? ['sum'] : ['sum', 'count'];
  const values = names.map((name) => mask(s, name, name === 'sum' ? sum : count));
  return { values, rows, excluded };
}

async function addUploadedTable(s: Session, store: TableStore, t: PlannedTable, plan: QueryPlan, sum: Accumulator, count: Accumulator): Promise<void> {
  const column = plan.column;
  const load = async (encoded: string): Promise<AShare> => {
    const c = decodeColumnComponents(await store.readColumn(t.name, encoded), t.rows);
    return new AShare(expandComponent(c.a, t.rows), expandComponent(c.b, t.rows));
  };
  if (plan.op !== 'count') sum.add(await load(column!.name));
  if (plan.op !== 'sum') {
    if (column?.nullable) count.add(await load(column.name + VALIDITY_SUFFIX));
    else count.addPublic(s.me, BigInt(t.rows));
  }
}

/** Step 3 for one append table; returns the number of rows that passed the range check. */
async function addAppendTable(s: Session, t: PlannedTable, column: string | undefined, rows: readonly KeyedRow[], sum: Accumulator, count: Accumulator): Promise<number> {
  const n = rows.length;
  const encoded = encodedColumnNames(t.schema);
  const a = encoded.map(() => new BigUint64Array(n));
  const b = encoded.map(() => new BigUint64Array(n));
  rows.forEach((row, i) => {
    const stored = decodeContribution(t.name, row.value);
    if (stored.components.length !== encoded.length) throw new QueryError(`a row of append table '${t.name}' does not match its schema`);
    stored.components.forEach(([ca, cb], k) => {
      a[k][i] = ca;
      b[k][i] = cb;
    });
  });
  const columns = new Map(encoded.map((name, k) => [name, new AShare(a[k], b[k])]));
  const { accepted, present } = await rangeCheck(s, t.schema, columns, n);

  const target = column === undefined ? undefined : t.schema.columns.find((c) => c.name === column)!;
  let weights: AShare;
  let acceptedArith: AShare;
  if (target?.nullable) {
    const counted = await andBits(s, accepted, present.get(target.name)!);
    const injected = await bitInject(s, concatBits([accepted, counted]));
    acceptedArith = injected.slice(0, n);
    weights = injected.slice(n, 2 * n);
  } else {
    acceptedArith = await bitInject(s, accepted);
    weights = acceptedArith;
  }
  count.add(weights);
  if (target !== undefined) sum.add(await dot(s, weights, columns.get(target.name)!, n));
  const opened = await open(s, sumA(acceptedArith));
  return Number(opened[0]);
}

/**
 * One bit per row: every column within its declared range (nulls exempt, validity bits 0 or 1).
 * Also returns, per nullable column, the bit "value present".
 */
async function rangeCheck(s: Session, schema: TableSchema, columns: ReadonlyMap<string, AShare>, n: number): Promise<{ accepted: BitShare; present: Map<string, BitShare> }> {
  const me = s.me;
  const inputs: AShare[] = [];
  for (const c of schema.columns) {
    const { min, max } = checkRange(c.type);
    const u = addConstA(me, columns.get(c.name)!, -min);
    inputs.push(u, addConstA(me, negA(u), max - min));
    if (c.nullable) {
      const v = columns.get(c.name + VALIDITY_SUFFIX)!;
      inputs.push(v, addConstA(me, negA(v), 1n), negA(v));
    }
  }
  const signs = await msb(s, concatA(inputs));
  let at = 0;
  const next = (): BitShare => sliceBits(signs, n * at++, n);
  const lowNot: BitShare[] = [];
  const highNot: BitShare[] = [];
  const presentBits: BitShare[] = [];
  const nullable: string[] = [];
  for (const c of schema.columns) {
    lowNot.push(notBits(me, next()));
    highNot.push(notBits(me, next()));
    if (c.nullable) {
      lowNot.push(notBits(me, next()));
      highNot.push(notBits(me, next()));
      presentBits.push(next());
      nullable.push(c.name);
    }
  }
  // inRange = NOT(u >= 2^63) AND NOT((max - min) - u < 0); the same for validity bits in [0, 1].
  const both = await andBits(s, concatBits(lowNot), concatBits(highNot));
  const checks = lowNot.map((_, k) => sliceBits(both, k * n, n));
  const terms: BitShare[] = [];
  const present = new Map<string, BitShare>();
  let k = 0;
  const outOfRangeButPresent: BitShare[] = [];
  const inRangeOf = new Map<string, BitShare>();
  for (const c of schema.columns) {
    const inRange = checks[k++];
    if (!c.nullable) {
      terms.push(inRange);
      continue;
    }
    const validOk = checks[k++];
    terms.push(validOk);
    inRangeOf.set(c.name, inRange);
  }
  if (nullable.length > 0) {
    // A null's value is not checked: reject only "present and out of range".
    nullable.forEach((name, i) => present.set(name, presentBits[i]));
    const bad = await andBits(s, concatBits(presentBits), concatBits(nullable.map((name) => notBits(me, inRangeOf.get(name)!))));
    nullable.forEach((_, i) => outOfRangeButPresent.push(notBits(me, sliceBits(bad, i * n, n))));
    terms.push(...outOfRangeButPresent);
  }
  return { accepted: await andAll(s, terms, n), present };
}

/** AND of equally long bit vectors, a balanced tree: one round per level, all pairs of a level at once. */
async function andAll(s: Session, terms: BitShare[], n: number): Promise<BitShare> {
  let level = terms;
  while (level.length > 1) {
    const half = Math.floor(level.length / 2);
    const product = await andBits(s, concatBits(level.slice(0, half)), concatBits(level.slice(half, 2 * half)));
    const next: BitShare[] = [];
    for (let i = 0; i < half; i++) next.push(sliceBits(product, i * n, n));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/** Step 4: adds r_i to component i, with r0 + r1 + r2 = 0 drawn from the key the three nodes share. */
function mask(s: Session, name: string, acc: Accumulator): ResultComponents {
  const [r0, r1] = s.prgCommon.words(2);
  const r = [r0, r1, BigInt.asUintN(64, -(r0 + r1))];
  const me = s.me;
  return { name, a: BigInt.asUintN(64, acc.a + r[me]), b: BigInt.asUintN(64, acc.b + r[(me + 1) % 3]) };
}
