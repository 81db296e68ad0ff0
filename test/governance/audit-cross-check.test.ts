/**
 * crossCheck on hand-made reports: the three nodes must log a computed query alike, including its
 * differential-privacy charge (mechanism, amount, tables), while each node's running totals of a
 * table's budget are its own ledger's account and may be left out of the comparison.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossCheck, type AuditEntry, type ChainReport } from '../../src/governance/audit.js';
import type { JsonValue } from '../../src/crypto/canonical-json.js';

function report(node: string, privacy: JsonValue): ChainReport {
  const entry: AuditEntry = { seq: 0, prev: '', at: '2026-12-05T00:00:00Z', node, event: 'query', query: 'q1', outcome: 'computed', requestedBy: 'Analyst', plan: 'p', privacy };
  return { node, entries: [entry], problems: [] };
}

const charge = (spent: number, remaining: number): JsonValue => ({ mechanism: 'laplace', spent: 0.5, tables: [{ table: 'visits', budget: 1, spent, remaining }] });

test('three nodes that charged the same ε to the same tables agree, whatever their running totals', () => {
  assert.deepEqual(crossCheck(['node-a', 'node-b', 'node-c'].map((n) => report(n, charge(0.5, 0.5)))), []);
  assert.deepEqual(crossCheck([report('node-a', charge(0.5, 0.5)), report('node-b', charge(1, 0)), report('node-c', charge(0.5, 0.5))]), []);
});

test('a node that logs another ε, mechanism or table charged is named', () => {
  const other = [
    { mechanism: 'laplace', spent: 0.25, tables: [{ table: 'visits', budget: 1, spent: 0.5, remaining: 0.5 }] },
    { mechanism: 'gaussian', spent: 0.5, tables: [{ table: 'visits', budget: 1, spent: 0.5, remaining: 0.5 }] },
    { mechanism: 'laplace', spent: 0.5, tables: [{ table: 'claims', budget: 1, spent: 0.5, remaining: 0.5 }] },
    null,
  ];
  for (const p of other) {
    const problems = crossCheck([report('node-a', charge(0.5, 0.5)), report('node-b', p), report('node-c', charge(0.5, 0.5))]);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0], /query q1: node-b and node-a log different "privacy"/);
  }
});
