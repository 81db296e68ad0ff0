/**
 * Where a shuffle's wall time goes: three party processes over TLS shuffle one column of
 * `--rows` words `--reps` times with the timeline on (src/mpc/timeline.ts), and this prints, per
 * repetition, every party's marks on one clock (ms from the earliest start) with the CPU each
 * party spent since its previous mark, then per party: wall, CPU, and the time it spent waiting
 * (wall between its marks minus CPU).
 *
 *   node dist/bench/shuffle-timeline.js [--rows 1048576] [--reps 3] [--warmups 3] [--quiet] [--profile DIR] [--flag F]...
 *
 * `--quiet` prints only the per-party summary of each repetition and their medians; `--profile`
 * writes a CPU profile of each party process into DIR (node --cpu-prof); `--flag` passes a
 * node or V8 flag to the party processes (e.g. --flag=--trace-gc).
 */

import { timelineMain } from './timeline-report.js';

await timelineMain(new URL('./shuffle-timeline-job.js', import.meta.url).href, 'shuffleTimeline');
