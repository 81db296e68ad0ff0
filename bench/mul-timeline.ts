/**
 * Where a multiplication's wall time goes: three party processes over TLS multiply two vectors of
 * `--rows` words `--reps` times with the timeline on (src/mpc/timeline.ts, and the link watched
 * from outside: bench/mul-timeline-job.ts), and this prints every party's marks on one clock
 * (options and output: bench/timeline-report.ts; docs/benchmarks.md, s10-mul).
 *
 *   node dist/bench/mul-timeline.js [--rows 1048576] [--reps 3] [--warmups 3] [--quiet] [--profile DIR] [--flag F]...
 */

import { timelineMain } from './timeline-report.js';

await timelineMain(new URL('./mul-timeline-job.js', import.meta.url).href, 'mulTimeline');
