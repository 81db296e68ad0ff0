/** A plan's id is the hash of its canonical JSON: key order does not change it, any content change does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aggregatePlan } from '../../src/plan/build.js';
import { parsePlan } from '../../src/plan/parse.js';
import { planHash, type Plan } from '../../src/plan/plan.js';

/** The same JSON with every object's keys in reverse order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]));
}

test('key order and whitespace do not change the hash', () => {
  const plan = aggregatePlan('mean', 'age', ['b', 'a'], ['Auditor', 'Registry North']);
  const text = JSON.stringify(reordered(plan), null, 2);
  assert.notEqual(text, JSON.stringify(plan));
  assert.equal(planHash(parsePlan(JSON.parse(text))), planHash(plan));
  assert.match(planHash(plan), /^[0-9a-f]{64}$/);
});

test('any change of content changes the hash', () => {
  const base = aggregatePlan('sum', 'age', ['visits', 'admissions'], ['Auditor']);
  const variants: Plan[] = [
    aggregatePlan('mean', 'age', ['visits', 'admissions'], ['Auditor']),
    aggregatePlan('sum', 'cost', ['visits', 'admissions'], ['Auditor']),
    aggregatePlan('sum', 'age', ['visits'], ['Auditor']),
    aggregatePlan('sum', 'age', ['visits', 'admissions'], ['Registry North']),
    aggregatePlan('sum', 'age', ['visits', 'admissions'], ['Auditor', 'Registry North']),
  ];
  const hashes = new Set([planHash(base), ...variants.map(planHash)]);
  assert.equal(hashes.size, variants.length + 1);
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 20 }), (name) => {
      fc.pre(name !== 'sum');
      const renamed: Plan = { ...base, root: { ...base.root, input: { ...(base.root.input as object), aggregates: [{ name, fn: 'sum', column: 'age' }] } as unknown as Plan['root']['input'] } };
      assert.notEqual(planHash(renamed), planHash(base));
    }),
  );
});
