/**
 * The coordinator's decision for one submission, over every combination of the three nodes'
 * answers, against the rules in src/node/flows/contribution-settle.ts; and a model check that
 * the decisions keep "acknowledged implies at all three nodes, for good" under any interleaving.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { AppendOutcome } from '../../src/node/contribution-index.js';
import { MAX_REPLACEMENT_ROUNDS, settleContribution, type NodeAnswer } from '../../src/node/flows/contribution-settle.js';

const S = '0002';
const stored: AppendOutcome = { status: 'stored' };
const again: AppendOutcome = { status: 'already-stored' };
const held = (submission: string): AppendOutcome => ({ status: 'held', submission });
const answers = (...o: (AppendOutcome | Error)[]): NodeAnswer[] => o.map((x, node) => (x instanceof Error ? { node, error: x } : { node, outcome: x }));

test('settle: acknowledge, fail, duplicate, replace, conflict', () => {
  assert.deepEqual(settleContribution(S, answers(stored, stored, stored), 2), { kind: 'acknowledge', created: true });
  assert.deepEqual(settleContribution(S, answers(again, again, again), 2), { kind: 'acknowledge', created: false });
  assert.deepEqual(settleContribution(S, answers(again, again, again), 2, true), { kind: 'acknowledge', created: true });
  assert.deepEqual(settleContribution(S, answers(again, stored, again), 2), { kind: 'acknowledge', created: true });
  assert.equal(settleContribution(S, answers(stored, new Error('down'), stored), 2).kind, 'fail');
  // An error wins over a split: what the unreachable node holds is unknown.
  assert.equal(settleContribution(S, answers(held('0001'), new Error('down'), held('0001')), 2).kind, 'fail');
  assert.deepEqual(settleContribution(S, answers(held('0001'), held('0001'), held('0001')), 2), { kind: 'duplicate' });
  assert.deepEqual(settleContribution(S, answers(held('0001'), stored, held('0001')), 2), { kind: 'replace', at: [{ node: 0, replaces: '0001' }, { node: 2, replaces: '0001' }] });
  // Without S anywhere, only what is older than the newest seen may go: 0001 may be at all three by now.
  assert.deepEqual(settleContribution(S, answers(held('0001'), held('0000'), held('0001')), 2), { kind: 'replace', at: [{ node: 1, replaces: '0000' }] });
  assert.deepEqual(settleContribution(S, answers(held('0003'), stored, stored), 2), { kind: 'conflict' });
  assert.deepEqual(settleContribution(S, answers(held('0001'), stored, stored), 0), { kind: 'conflict' });
});

/**
 * A model of three nodes and concurrent coordinators: each step is one node answering one
 * coordinator (the node applies contribution-index's rules at that moment), in any order fast-check
 * picks. Whatever the order, an acknowledged submission is then held by all three nodes at the end.
 */
test('settle: in any interleaving, an acknowledged submission is at all three nodes at the end', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(0, 1, 2), { minLength: 1, maxLength: 3 }), // nodes that already hold a partial earlier submission
      fc.array(fc.nat({ max: 1000 }), { minLength: 20, maxLength: 120 }), // scheduler choices
      (partialAt, schedule) => {
        const nodes: (string | undefined)[] = [undefined, undefined, undefined];
        for (const n of new Set(partialAt)) nodes[n] = '0000';
        if (nodes.filter((h) => h === '0000').length === 3) nodes[0] = undefined;
        const apply = (node: number, submission: string, replaces: string | undefined): AppendOutcome => {
          const h = nodes[node];
          if (h === undefined) {
            nodes[node] = submission;
            return stored;
          }
          if (h === submission) return again;
          if (replaces === h && submission > h) {
            nodes[node] = submission;
            return stored;
          }
          return held(h);
        };
        // Coordinators for submissions 0001..0003, each a little state machine.
        const coordinators = ['0001', '0002', '0003'].map((submission) => ({
          submission,
          round: 0,
          pending: [0, 1, 2] as number[],
          replaces: new Map<number, string>(),
          got: new Map<number, AppendOutcome>(),
          result: undefined as string | undefined,
        }));
        for (const pick of [...schedule, ...Array(60).fill(0)]) {
          const live = coordinators.filter((c) => c.result === undefined);
          if (live.length === 0) break;
          const c = live[pick % live.length];
          const node = c.pending[Math.floor(pick / live.length) % c.pending.length];
          c.pending = c.pending.filter((n) => n !== node);
          c.got.set(node, apply(node, c.submission, c.replaces.get(node)));
          if (c.pending.length > 0) continue;
          const decision = settleContribution(c.submission, [0, 1, 2].map((n) => ({ node: n, outcome: c.got.get(n)! })), MAX_REPLACEMENT_ROUNDS - c.round);
          if (decision.kind === 'replace') {
            c.round++;
            c.pending = decision.at.map((r) => r.node);
            c.replaces = new Map(decision.at.map((r) => [r.node, r.replaces]));
          } else c.result = decision.kind;
        }
        const acknowledged = coordinators.filter((c) => c.result === 'acknowledge');
        assert.ok(acknowledged.length <= 1, 'at most one submission of a contributor is acknowledged');
        for (const c of acknowledged) assert.deepEqual(nodes, [c.submission, c.submission, c.submission]);
        const duplicates = coordinators.filter((c) => c.result === 'duplicate');
        if (duplicates.length > 0) assert.ok(nodes.every((h) => h === nodes[0]), 'a duplicate means one submission is at all three nodes');
      },
    ),
    { numRuns: 2000 },
  );
});
