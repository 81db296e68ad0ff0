/**
 * The job of bench/shuffle-timeline.ts, run by each party: shuffles of one random column with
 * the timeline on (src/mpc/timeline.ts), after untimed warm-ups. Before each timed shuffle the
 * parties open one element together, so their clocks start within one round trip.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { open, randomA } from '../src/mpc/protocols/io.js';
import { shuffle } from '../src/mpc/protocols/shuffle.js';
import type { Session } from '../src/mpc/session.js';
import { timeline, type TimelineMark } from '../src/mpc/timeline.js';
import type { TimelineArgs } from './timeline-report.js';


export async function shuffleTimeline(s: Session, args: TimelineArgs): Promise<TimelineMark[][]> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const x = randomA(s, args.rows);
  const sync = randomA(s, 1);
  for (let w = 0; w < args.warmups; w++) await shuffle(s, { arith: [x], binary: [] });
  const reps: TimelineMark[][] = [];
  for (let r = 0; r < args.reps; r++) {
    gc();
    await open(s, sync);
    timeline.on = true;
    await shuffle(s, { arith: [x], binary: [] });
    timeline.on = false;
    reps.push(timeline.take().map((m) => ({ ...m, party: s.me })));
  }
  return reps;
}
