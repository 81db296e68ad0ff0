/** Decoding of opened results follows from the registry: names, parts, scales, signs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeOutput } from '../../src/client/result.js';
import { IntegrityError } from '../../src/errors.js';
import { aggregateNames, aggregates, findAggregate } from '../../src/plan/registry.js';
import { routeSchemas } from '../../src/node/api/schemas.js';

const ring = (v: bigint) => BigInt.asUintN(64, v);

test('count, sum, mean, min, max, var, std, count_distinct, median, quantile, corr and covar_samp are registry entries, and the API schema lists exactly those', () => {
  assert.deepEqual(aggregateNames(), ['count', 'sum', 'mean', 'min', 'max', 'var', 'std', 'count_distinct', 'median', 'quantile', 'corr', 'covar_samp']);
  const schemaText = JSON.stringify(routeSchemas.getQuery);
  assert.ok(schemaText.includes(JSON.stringify([...aggregateNames(), 'column'])), 'the outputs fn enum comes from the registry');
  for (const f of aggregates()) assert.ok(routeSchemas.postQuery.summary.includes(f.name));
});

const columns = (entries: [string, bigint][]) => new Map(entries.map(([k, v]) => [k, BigUint64Array.of(BigInt.asUintN(64, v))]));
const meanParts = [{ column: 'm.sum', part: 'sum' }, { column: 'm.count', part: 'count' }];

test('a sum decodes with its scale, exactly, signed', () => {
  const out = { name: 'total', fn: 'sum', column: 'cost', scale: 2, parts: [{ column: 'total', part: 'sum' }] };
  const decoded = decodeOutput(out, columns([['total', ring(-12345n)]]), 0);
  assert.deepEqual([decoded.value, decoded.exact, decoded.fn, decoded.column], [-123.45, '-123.45', 'sum', 'cost']);
  const big = decodeOutput({ ...out, scale: 0 }, columns([['total', 2n ** 60n]]), 0);
  assert.equal(big.value, 2n ** 60n, 'an integer beyond 2^53 stays exact as a bigint');
});

test('a count decodes as a number; a mean as the quotient of its parts, NaN over nothing', () => {
  assert.equal(decodeOutput({ name: 'n', fn: 'count', scale: 0, parts: [{ column: 'n', part: 'count' }] }, columns([['n', 42n]]), 0).value, 42);
  const mean = decodeOutput({ name: 'm', fn: 'mean', column: 'x', scale: 1, parts: meanParts }, columns([['m.sum', 75n], ['m.count', 3n]]), 0);
  assert.deepEqual([mean.value, mean.sum, mean.count], [2.5, 7.5, 3]);
  const empty = decodeOutput({ name: 'm', fn: 'mean', column: 'x', scale: 0, parts: meanParts }, columns([['m.sum', 0n], ['m.count', 0n]]), 0);
  assert.ok(Number.isNaN(empty.value));
});

test('a mean whose noisy count opened at or below zero (differential privacy) has no value, and a noisy count may be negative', () => {
  const noisy = decodeOutput({ name: 'm', fn: 'mean', column: 'x', scale: 0, parts: meanParts }, columns([['m.sum', BigInt.asUintN(64, 12n)], ['m.count', BigInt.asUintN(64, -2n)]]), 0);
  assert.ok(Number.isNaN(noisy.value));
  assert.equal(noisy.count, -2);
  assert.equal(decodeOutput({ name: 'n', fn: 'count', scale: 0, parts: [{ column: 'n', part: 'count' }] }, columns([['n', BigInt.asUintN(64, -3n)]]), 0).value, -3);
});

test('a result with an unknown aggregate or a missing part is refused, not guessed', () => {
  assert.throws(() => decodeOutput({ name: 'x', fn: 'mode', scale: 0, parts: [{ column: 'x', part: 'mode' }] }, columns([['x', 1n]]), 0), (e: unknown) => e instanceof IntegrityError && /update the client/.test(e.message));
  assert.throws(() => decodeOutput({ name: 'm', fn: 'mean', scale: 0, parts: [meanParts[0]] }, columns([['m.sum', 1n]]), 0), IntegrityError);
  assert.equal(findAggregate('mode'), undefined);
});

test('min/max decode their value, NaN (null) where the present part is 0; var/std from exact parts, NaN below two values', () => {
  const lo = (v: bigint, present: bigint) => decodeOutput({ name: 'lo', fn: 'min', column: 'x', scale: 2, parts: [{ column: 'lo', part: 'min' }, { column: 'lo.present', part: 'present' }] }, columns([['lo', v], ['lo.present', present]]), 0);
  assert.deepEqual([lo(-1250n, 1n).value, lo(-1250n, 1n).exact], [-12.5, '-12.50']);
  assert.ok(Number.isNaN(lo(0n, 0n).value));
  const v = (n: bigint, s: bigint, q: bigint, fn = 'var', scale = 0) => decodeOutput({ name: 'v', fn, column: 'x', scale, parts: [{ column: 'v.count', part: 'count' }, { column: 'v.sum', part: 'sum' }, { column: 'v.squares', part: 'squares' }] }, columns([['v.count', n], ['v.sum', s], ['v.squares', q]]), 0).value as number;
  // 1, 2, 3, 4: var 5/3; in hundredths (scale 2) the same values read 0.01 .. 0.04.
  assert.equal(v(4n, 10n, 30n), 5 / 3);
  assert.equal(v(4n, 10n, 30n, 'std'), Math.sqrt(5 / 3));
  assert.ok(Math.abs(v(4n, 10n, 30n, 'var', 2) - 5 / 3 / 10000) < 1e-18);
  assert.ok(Number.isNaN(v(1n, 7n, 49n)));
  // Large values: no cancellation (n·Q − S² is exact): 10^9 + 1, 10^9 + 2, 10^9 + 3 has variance 1.
  const big = 1_000_000_000n;
  assert.equal(v(3n, 3n * big + 6n, (big + 1n) ** 2n + (big + 2n) ** 2n + (big + 3n) ** 2n), 1);
});
