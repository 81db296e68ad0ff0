/**
 * The relational kernels (src/mpc/oblivious/) as jobs run by each party, for
 * bench/relational-kernels.ts. Inputs are prepared before the clock starts; each repetition
 * starts after one opened element, so the three clocks start within a round trip of each other.
 *
 *   compact          5 columns, a secret predicate keeping about half of the rows (count revealed)
 *   filter           the relational suite's filter (bench/relational/filter.ts: 5 columns in [0, 9999],
 *                    seven comparisons, count revealed) through ops/filter.ts, then its count
 *   groupby_key      ~rows/10 groups of a 40-bit key, count and sum, number of groups revealed
 *   groupby_minmax   the same keys, count, min and max, oblivious (secret validity column)
 *   groupby_domain   a category of 100 levels, count and 2 sums (one-hot, nothing revealed)
 *   join             primary key to foreign key, rows x rows, 2 payload columns each side, inner, count revealed,
 *                    keys declared in [0, 1.1 rows) (keyBits, as ops/join.ts passes them)
 */

import { randomBytes } from 'node:crypto';
import { input, open, randomA } from '../src/mpc/protocols/io.js';
import { compact } from '../src/mpc/oblivious/compact.js';
import { groupByKey } from '../src/mpc/oblivious/group-by-key.js';
import { groupByDomain } from '../src/mpc/oblivious/one-hot.js';
import { pkFkJoin } from '../src/mpc/oblivious/join.js';
import type { Session } from '../src/mpc/session.js';
import type { AShare } from '../src/mpc/shares.js';
import type { RepFigures } from './primitive-jobs.js';
import { filterCase, factsTable } from './relational/filter.js';
import { checkPlan } from '../src/plan/check.js';
import { parseSchema } from '../src/table/schema.js';
import { execute } from '../src/ops/execute.js';
import { ALL_VALID, SecretTable } from '../src/secret/secret-table.js';

export const RELATIONAL_OPS = ['compact', 'filter', 'groupby_key', 'groupby_minmax', 'groupby_domain', 'join'];

export interface RelationalArgs {
  readonly op: string;
  readonly rows: number;
  readonly reps: number;
}

function randomBelow(n: number, bound: number): BigUint64Array {
  const r = new Uint32Array(randomBytes(4 * n).buffer);
  return BigUint64Array.from(r, (v) => BigInt(v % bound));
}

function random40(n: number): BigUint64Array {
  const v = new BigUint64Array(n);
  new Uint8Array(v.buffer).set(randomBytes(8 * n));
  for (let i = 0; i < n; i++) v[i] = BigInt.asUintN(64, BigInt.asIntN(40, v[i]));
  return v;
}

/** Values only party 0 draws (the others pass the length). */
function from0(s: Session, n: number, make: () => BigUint64Array): Promise<AShare> {
  return input(s, 0, s.me === 0 ? make() : n);
}

async function prepare(s: Session, op: string, n: number): Promise<() => Promise<unknown>> {
  switch (op) {
    case 'compact': {
      const cols = Array.from({ length: 5 }, () => randomA(s, n));
      const keep = await from0(s, n, () => randomBelow(n, 2));
      return () => compact(s, cols, keep);
    }
    case 'filter': {
      // The suite's table and plan, its rows shared by party 0; the plan checked as a node does.
      const facts = factsTable(n);
      const schema = parseSchema(facts.schema);
      const columns = [];
      for (let k = 0; k < schema.columns.length; k++) {
        const values = await from0(s, n, () => BigUint64Array.from({ length: n }, (_, i) => BigInt(facts.row(i)[k])));
        columns.push({ schema: schema.columns[k], values });
      }
      const table = new SecretTable(n, columns, ALL_VALID);
      const checked = checkPlan(filterCase.plan('Auditor'), { table: () => ({ name: 'facts', kind: 'table', schema, rows: n }), recipientRefusal: () => undefined });
      const reader = { read: async () => new Map([['facts', { table, source: 'uploaded' as const }]]) };
      return () => execute(s, checked, reader);
    }
    case 'groupby_key':
    case 'groupby_minmax': {
      const groups = Math.max(1, Math.floor(n / 10));
      // ~n/10 distinct 40-bit identifiers, each used ~10 times.
      const key = await from0(s, n, () => {
        const ids = random40(groups);
        return BigUint64Array.from(randomBelow(n, groups), (g) => ids[Number(g)]);
      });
      const v = await from0(s, n, () => random40(n));
      if (op === 'groupby_key') return () => groupByKey(s, key, [{ values: v, op: 'sum' }], 'reveal-groups');
      return () => groupByKey(s, key, [{ values: v, op: 'min' }, { values: v, op: 'max' }], 'oblivious');
    }
    case 'groupby_domain': {
      const key = await from0(s, n, () => randomBelow(n, 100));
      const v1 = randomA(s, n), v2 = randomA(s, n);
      return () => groupByDomain(s, key, 100, [v1, v2]);
    }
    case 'join': {
      // As the relational suite's join declares them: primary keys 0..n-1 in a random order,
      // foreign keys in [0, 1.1 n) (~90% hit one), so the sort packs key and row index in one word.
      const span = Math.ceil(n * 1.1);
      const pk = await from0(s, n, () => {
        const ids = BigUint64Array.from({ length: n }, (_, i) => BigInt(i));
        const r = randomBelow(n, 2 ** 31);
        for (let i = n - 1; i > 0; i--) {
          const j = Number(r[i]) % (i + 1);
          [ids[i], ids[j]] = [ids[j], ids[i]];
        }
        return ids;
      });
      const fk = await from0(s, n, () => randomBelow(n, span));
      const primary = { key: pk, payload: [randomA(s, n), randomA(s, n)] };
      const foreign = { key: fk, payload: [randomA(s, n), randomA(s, n)] };
      return () => pkFkJoin(s, primary, foreign, 'inner', 'reveal-count', { keyBits: Math.ceil(Math.log2(span)) });
    }
    default:
      throw new Error(`unknown operation '${op}'; choose from ${RELATIONAL_OPS.join(', ')}`);
  }
}

export async function relational(s: Session, args: RelationalArgs): Promise<RepFigures[]> {
  const body = await prepare(s, args.op, args.rows);
  const sync = randomA(s, 1);
  const out: RepFigures[] = [];
  for (let r = 0; r < args.reps; r++) {
    await open(s, sync);
    const bytes0 = s.stats.bytesSent, rounds0 = s.stats.rounds;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await body();
    const c = process.cpuUsage(c0);
    out.push({ seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6, bytes: s.stats.bytesSent - bytes0, rounds: s.stats.rounds - rounds0 });
  }
  return out;
}
