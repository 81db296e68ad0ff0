/**
 * The three nodes agree on which append-table rows a query uses (src/node/query/append-rows.ts):
 * rows held by all three as the same submission with consistent components, nothing else.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { localTrio } from '../../src/mpc/local.js';
import { encodeContribution } from '../../src/node/contribution-index.js';
import { agreeOnAppendRows } from '../../src/node/query/append-rows.js';
import type { AppendRow } from '../../src/node/storage.js';

/** The header digest covers the contributor and the submission, as the real one does. */
const digestOf = (k: number, submission: string) => createHash('sha256').update(`${k}/${submission}`).digest();

/** Deals value v of row k into the components node i holds: (x_i, x_{i+1}). */
function rowsAt(node: number, rows: readonly { id: number; submission: string; shares: readonly [bigint, bigint, bigint] }[]): AppendRow[] {
  return rows.map((r) => ({
    contributorId: `c${String(r.id).padStart(4, '0')}`,
    value: encodeContribution(r.submission, digestOf(r.id, r.submission), [[r.shares[node], r.shares[(node + 1) % 3]]]),
  }));
}

test('append rows: only rows identical at all three nodes are used, whatever each node holds', async () => {
  const trio = await localTrio({ timeoutMs: 10_000 });
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            present: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
            otherSubmissionAt: fc.option(fc.constantFrom(0, 1, 2), { nil: undefined }),
            corruptAt: fc.option(fc.tuple(fc.constantFrom(0, 1, 2), fc.constantFrom(0, 1)), { nil: undefined }),
            shares: fc.tuple(fc.bigUint64Array({ minLength: 3, maxLength: 3 })),
          }),
          { maxLength: 40 },
        ),
        async (spec) => {
          const perNode: AppendRow[][] = [[], [], []];
          const expected: string[] = [];
          spec.forEach((r, id) => {
            const shares = [r.shares[0][0], r.shares[0][1], r.shares[0][2]] as const;
            let good = r.present.every(Boolean);
            for (const node of [0, 1, 2]) {
              if (!r.present[node]) continue;
              const submission = r.otherSubmissionAt === node ? 'other-submission' : 'the-submission';
              const [row] = rowsAt(node, [{ id, submission, shares }]);
              if (r.corruptAt && r.corruptAt[0] === node) {
                // One component differs from what its neighbour holds.
                const which = r.corruptAt[1];
                const components: [bigint, bigint] = [shares[node], shares[(node + 1) % 3]];
                components[which] = BigInt.asUintN(64, components[which] + 1n);
                perNode[node].push({ contributorId: row.contributorId, value: encodeContribution(submission, digestOf(id, submission), [components]) });
              } else perNode[node].push(row);
            }
            if (r.otherSubmissionAt !== undefined && r.present[r.otherSubmissionAt]) good = false;
            if (r.corruptAt && r.present[r.corruptAt[0]]) good = false;
            if (good) expected.push(`c${String(id).padStart(4, '0')}`);
          });
          const results = await trio.run((s) => agreeOnAppendRows(s, 'ab'.repeat(32), [{ name: 't', rows: perNode[s.me] }], () => 'a peer'));
          for (const result of results) assert.deepEqual(result.get('t')!.map((r) => r.contributor), expected);
        },
      ),
      { numRuns: 60 },
    );
  } finally {
    trio.close();
  }
});

test('append rows: nodes that planned different queries stop with an error naming the peer', async () => {
  const trio = await localTrio({ timeoutMs: 10_000 });
  try {
    const outcomes = await Promise.allSettled(
      trio.parties.map((p, i) => p.run(77n, (s) => agreeOnAppendRows(s, (i === 2 ? 'cd' : 'ab').repeat(32), [], (peer) => `node ${peer}`))),
    );
    assert.ok(outcomes.every((o) => o.status === 'rejected'));
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /node 2 sees different tables/);
  } finally {
    trio.close();
  }
});
