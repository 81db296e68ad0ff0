/**
 * The job of bench/shuffle-timeline.ts, run by each party: shuffles of one random column with
 * the timeline on (src/mpc/timeline.ts), after untimed warm-ups. Before each timed shuffle the
 * parties pass a barrier (bench/start-together.ts), so no clock starts before all three are there.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { randomA } from '../src/mpc/protocols/io.js';
import { shuffle } from '../src/mpc/protocols/shuffle.js';
import type { Session } from '../src/mpc/session.js';
import { startTogether } from './start-together.js';
import { timeline, type TimelineMark } from '../src/mpc/timeline.js';
import type { TimelineArgs } from './timeline-report.js';


export async function shuffleTimeline(s: Session, args: TimelineArgs): Promise<TimelineMark[][]> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const x = randomA(s, args.rows);
  for (let w = 0; w < args.warmups; w++) await shuffle(s, { arith: [x], binary: [] });
  const reps: TimelineMark[][] = [];
  for (let r = 0; r < args.reps; r++) {
    gc();
    await startTogether(s);
    timeline.on = true;
    await shuffle(s, { arith: [x], binary: [] });
    timeline.on = false;
    reps.push(timeline.take().map((m) => ({ ...m, party: s.me })));
  }
  return reps;
}
