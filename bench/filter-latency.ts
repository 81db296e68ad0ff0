/**
 * Where a small query's wall time goes, seen from the client: `node dist/bench/filter-latency.js
 * [--rows 1024] [--reps 5]` runs the relational suite's filter plan on a local TLS cluster and
 * prints, per run, the time to submit, to the first status that says done, and to the opened
 * result, with every status the client saw (its state and step) and when.
 */

import { join } from 'node:path';
import { HOSPITAL, withNodeCluster } from './node-cluster.js';
import { writeCsv } from './relational-suite.js';
import { factsTable, filterCase } from './relational/filter.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const rows = arg('--rows', 1024), reps = arg('--reps', 5);

await withNodeCluster('filter-latency', () => undefined, async ({ root, hospital }) => {
  const t = factsTable(rows);
  const csv = join(root, 'facts.csv');
  await writeCsv(csv, t);
  await hospital.uploadTable(t.name, { file: csv }, { schema: t.schema });
  for (let r = 0; r < reps; r++) {
    const seen: string[] = [];
    const t0 = performance.now();
    const ms = (): string => (performance.now() - t0).toFixed(0);
    const handle = await hospital.run(filterCase.plan(HOSPITAL), { onProgress: (s) => seen.push(`${ms()}:${s.state}/${s.job?.step ?? ''}`) });
    const submitted = ms();
    const result = await handle.result();
    console.log(`run ${r}: submitted ${submitted} ms, result ${ms()} ms (n = ${String(result.outputs.n.value)}); statuses ${seen.join(' ')}`);
  }
});
