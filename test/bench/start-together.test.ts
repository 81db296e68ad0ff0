/**
 * The benchmarks' start of a timed repetition (bench/start-together.ts) and the timers computed
 * from it (bench/repetition-timers.ts). The barrier must hold every party until the last one
 * arrived, whichever party that is: a one-word open around the ring held only the party after
 * the late one, and the other started its clock early and timed the wait (s12-mul).
 */

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { machineMs, startTogether } from '../../bench/start-together.js';
import { repetitionTimers } from '../../bench/repetition-timers.js';
import type { PrimitiveRep } from '../../bench/primitive-jobs.js';
import { closeTrio, trio } from '../helpers/protocol.js';

after(closeTrio);

test('startTogether returns at no party before the last party arrived, whichever is late', async () => {
  const t = await trio();
  for (const late of [0, 1, 2]) {
    const times = await t.run(async (s) => {
      if (s.me === late) await sleep(40);
      const arrived = machineMs();
      await startTogether(s);
      return { arrived, left: machineMs() };
    });
    const lastArrival = Math.max(...times.map((x) => x.arrived));
    for (const [p, x] of times.entries()) assert.ok(x.left >= lastArrival, `party ${p} left at ${x.left.toFixed(1)}, before party ${late} arrived at ${lastArrival.toFixed(1)}`);
  }
});

test('repetitionTimers: slowest party, first start to last end, party 0 and the starts\' spread, per repetition', () => {
  const rep = (startedAt: number, endedAt: number, cpuSeconds: number): PrimitiveRep => ({ seconds: (endedAt - startedAt) / 1000, cpuSeconds, bytes: 8, rounds: 1, startedAt, endedAt });
  // Repetition 0: party 2 starts 4 ms late and ends last; repetition 1: party 0 is the slowest.
  const t = repetitionTimers([
    [rep(100, 140, 0.02), rep(1000, 1060, 0.03)],
    [rep(101, 139, 0.025), rep(1001, 1050, 0.02)],
    [rep(104, 142, 0.01), rep(1002, 1055, 0.01)],
  ]);
  const ms = (xs: number[]): number[] => xs.map((x) => Math.round(x * 1e6) / 1e3);
  assert.deepEqual(ms(t.slowest), [40, 60]);
  assert.deepEqual(ms(t.span), [42, 60]);
  assert.deepEqual(ms(t.party0), [40, 60]);
  assert.deepEqual(ms(t.startSpread), [4, 2]);
  assert.deepEqual(ms(t.busiestCpu), [25, 30]);
});
