/**
 * Test tables for sort, limit and distinct (ops/sort.ts, ops/limit.ts, ops/distinct.ts): two
 * integer columns with random declared ranges (edges included), x nullable, an optional secret
 * validity whose invalid rows hold arbitrary ring values (as rows an append table's range check
 * excluded do), shared into a session and opened back.
 */
import fc from 'fast-check';
import { open } from '../../src/mpc/protocols/io.js';
import type { Session } from '../../src/mpc/session.js';
import type { ColumnFacts } from '../../src/plan/types.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../src/secret/secret-table.js';
import { parseSchema } from '../../src/table/schema.js';
import { secret } from '../helpers/protocol.js';

export const EDGE = (1n << 62n) - 1n;
const ring = (v: bigint): bigint => BigInt.asUintN(64, v);
export const signed = (v: bigint): bigint => BigInt.asIntN(64, v);

export interface Row { x: bigint | null; y: bigint; valid: boolean }
export interface Range { min: bigint; max: bigint }
export interface OrderCase { xr: Range; yr: Range; secretValidity: boolean; rows: Row[] }

export const rangeArb: fc.Arbitrary<Range> = fc.oneof(
  fc.record({ min: fc.bigInt({ min: -6n, max: 4n }), span: fc.bigInt({ min: 0n, max: 8n }) }).map(({ min, span }) => ({ min, max: min + span })),
  fc.constant({ min: -EDGE, max: EDGE }),
  fc.constant({ min: 3n, max: 3n }),
  fc.constant({ min: 5n, max: 9n }),
  fc.constant({ min: -9n, max: -5n }),
);

const valueIn = (r: Range): fc.Arbitrary<bigint> => fc.oneof(fc.bigInt(r), fc.constantFrom(r.min, r.max));

export const caseArb: fc.Arbitrary<OrderCase> = fc.record({ xr: rangeArb, yr: rangeArb, secretValidity: fc.boolean(), n: fc.integer({ min: 0, max: 12 }) }).chain(({ xr, yr, secretValidity, n }) =>
  fc.array(
    fc.record({ x: fc.option(valueIn(xr), { nil: null, freq: 3 }), y: valueIn(yr), valid: secretValidity ? fc.boolean() : fc.constant(true) }),
    { minLength: n, maxLength: n },
  ).map((rows) => ({ xr, yr, secretValidity, rows })),
);

export function factsOf(k: OrderCase): { x: ColumnFacts; y: ColumnFacts } {
  return {
    x: { name: 'x', kind: 'integer', scale: 0, min: k.xr.min, max: k.xr.max, nullable: true },
    y: { name: 'y', kind: 'integer', scale: 0, min: k.yr.min, max: k.yr.max, nullable: false },
  };
}

/** Invalid rows get values no range allows (their x and y come from the row's position). */
function garbage(i: number): bigint {
  return ring(0x9e3779b97f4a7c15n * BigInt(i + 1));
}

export async function shareCase(s: Session, k: OrderCase): Promise<SecretTable> {
  const schema = parseSchema({
    version: 1,
    columns: [
      { name: 'x', nullable: true, type: 'integer', min: String(k.xr.min), max: String(k.xr.max) },
      { name: 'y', nullable: false, type: 'integer', min: String(k.yr.min), max: String(k.yr.max) },
    ],
  });
  const share = (v: bigint[]) => secret(s, BigUint64Array.from(v.map(ring)), 0);
  const x: SecretColumn = {
    schema: schema.columns[0],
    values: await share(k.rows.map((r, i) => (r.valid ? r.x ?? 0n : garbage(i)))),
    present: await share(k.rows.map((r, i) => (r.valid ? (r.x === null ? 0n : 1n) : garbage(i + 100)))),
  };
  const y: SecretColumn = { schema: schema.columns[1], values: await share(k.rows.map((r, i) => (r.valid ? r.y : garbage(i + 200)))) };
  const validity = k.secretValidity ? { kind: 'secret' as const, share: await share(k.rows.map((r) => (r.valid ? 1n : 0n))) } : ALL_VALID;
  return new SecretTable(k.rows.length, [x, y], validity);
}

/** The opened rows (valid marks the validity; publicly valid tables are all valid). */
export async function openTable(s: Session, t: SecretTable): Promise<Row[]> {
  const x = await open(s, t.column('x').values), present = await open(s, t.column('x').present!);
  const y = await open(s, t.column('y').values);
  const valid = t.validity.kind === 'secret' ? await open(s, t.validity.share) : new BigUint64Array(t.rows).fill(1n);
  return Array.from({ length: t.rows }, (_, i) => ({ x: present[i] === 1n ? signed(x[i]) : null, y: signed(y[i]), valid: valid[i] === 1n }));
}

export interface KeySpec { column: 'x' | 'y'; descending: boolean; nullsFirst: boolean }

/** Plaintext stable sort: nulls where asked (regardless of direction), ties by input position. */
export function referenceSort(rows: readonly Row[], keys: readonly KeySpec[]): Row[] {
  const cmp = (a: Row, b: Row): number => {
    for (const k of keys) {
      const va = a[k.column], vb = b[k.column];
      if (va === null || vb === null) {
        if (va === vb) continue;
        return (va === null) === k.nullsFirst ? -1 : 1;
      }
      if (va !== vb) return (va < vb) !== k.descending ? -1 : 1;
    }
    return 0;
  };
  return rows.filter((r) => r.valid).map((r, i) => ({ r, i })).sort((a, b) => cmp(a.r, b.r) || a.i - b.i).map((e) => e.r);
}
