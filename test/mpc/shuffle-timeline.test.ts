/**
 * The shuffle's schedule, read from its timeline marks (src/mpc/timeline.ts): party 2 draws piC
 * and r while party 0's message is still arriving (after its first block), not after the last
 * block, where they lay on the longest chain of the protocol (docs/benchmarks.md, s9-shuffle).
 */

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeTrio, trio } from '../helpers/protocol.js';
import { randomA } from '../../src/mpc/protocols/io.js';
import { BLOCK_WORDS } from '../../src/mpc/protocols/row-blocks.js';
import { shuffle } from '../../src/mpc/protocols/shuffle.js';
import { timeline } from '../../src/mpc/timeline.js';

after(closeTrio);

test('party 2 draws its second permutation between the blocks of party 0 message', async () => {
  const t = await trio();
  const n = 3 * BLOCK_WORDS; // one column: three blocks per message
  timeline.on = true;
  try {
    await t.run(async (s) => shuffle(s, { arith: [randomA(s, n)], binary: [] }));
  } finally {
    timeline.on = false;
  }
  const marks = timeline.take().filter((m) => m.party === 2).map((m) => m.label);
  const drawn = marks.flatMap((label, i) => (label === 'drawn' ? [i] : []));
  assert.equal(drawn.length, 2, marks.join(', '));
  assert.ok(drawn[1] > marks.indexOf('got 0 from P0'), marks.join(', '));
  assert.ok(drawn[1] < marks.indexOf('got 1 from P0'), marks.join(', '));
  assert.equal(marks.at(-1), 'done');
});

test('the timeline keeps nothing while it is off', async () => {
  const t = await trio();
  timeline.take();
  await t.run(async (s) => shuffle(s, { arith: [randomA(s, 10)], binary: [] }));
  assert.deepEqual(timeline.take(), []);
});
