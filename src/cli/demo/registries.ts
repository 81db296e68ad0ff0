/**
 * Use case (a), secure sum across registries: three registries each hold a patient count; an
 * analyst asks for the total, which is opened to the three registries and nobody else.
 */

import type { NodeIndex } from '../../governance/collaboration.js';
import { formatCount, formatSeconds, type Console } from '../output.js';
import { heading, learned, storedBytes, triesToOpen } from './narration.js';
import { sampleTableFile } from './node-files.js';
import type { DemoTarget } from './target.js';
import type { GovernedQueries } from './governed.js';

export const REGISTRY_COUNTS: readonly { readonly registry: string; readonly count: number }[] = [
  { registry: 'Registry North', count: 1284 },
  { registry: 'Registry East', count: 2917 },
  { registry: 'Registry South', count: 865 },
];

export interface RegistriesOutcome {
  readonly total: number;
  readonly ms: number;
}

export async function runRegistries(target: DemoTarget, io: Console, governed: GovernedQueries): Promise<RegistriesOutcome> {
  const s = io.style;
  const started = performance.now();
  heading(io, '(a) Secure sum across registries', 'Three registries each know how many patients they have. They want the total; none may see another\'s count, nor may the analyst or the nodes.');

  const names = REGISTRY_COUNTS.map((r) => r.registry);
  const width = Math.max(...names.map((n) => n.length), 'St. Mary Hospital'.length);
  const tables: string[] = [];
  const registries = await Promise.all(REGISTRY_COUNTS.map((r, i) => target.connect(r.registry, i as NodeIndex)));
  const analyst = await target.connect('Analyst', 0);
  try {
    for (const [i, { registry, count }] of REGISTRY_COUNTS.entries()) {
      const name = `${registry.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_patients${target.tableSuffix}`;
      tables.push(name);
      await registries[i].uploadTable(name, { columns: { patients: [count] } }, { columns: { patients: { type: 'integer', min: 0, max: 10_000_000 } } });
      io.line(`  ${registry.padEnd(width)}  uploads its count ${s.bold(formatCount(count).padStart(5))} as table ${name} via ${target.nodeNames[i]}`);
    }
    io.line(s.dim(`  (each client split its count into three random shares on its own machine and sealed one to each node)`));
    io.line('');
    io.line(`  What the nodes store for ${names[0]}'s table, a few bytes of each node's file:`);
    storedBytes(
      io,
      await Promise.all(target.nodeNames.map(async (node, i) => ({ node, sample: await sampleTableFile(target.dataDir(i as NodeIndex), tables[0]) }))),
    );
    io.line(s.dim('  Random-looking: sealed at rest, and the share inside is itself a uniformly random number; it takes two nodes\' shares to rebuild anything.'));
    io.line('');

    const askedAt = performance.now();
    const query = await governed.run(analyst, 'Total patient count across the three registries', () => analyst.sum({ column: 'patients', tables, recipients: names }), { receiptFor: names[0] });
    io.line(`  Analyst asks for sum(patients) over the three tables, result for the three registries → query ${query.id} (${formatSeconds(performance.now() - askedAt)})`);
    let total = 0;
    for (const [i, registry] of names.entries()) {
      const result = await registries[i].result(query.id);
      total = Number(result.value);
      io.line(`  ${registry.padEnd(width)}  opens the total: ${s.green(s.bold(formatCount(total)))}  (shares of nodes ${result.nodes.join(', ')}, cross-checked)`);
    }
    const analystTried = await triesToOpen(analyst, query.id);
    io.line(`  ${'Analyst'.padEnd(width)}  tries to open it: ${s.red('refused')} (${analystTried})`);
    io.line('');
    learned(io, [
      ...REGISTRY_COUNTS.map(({ registry, count }) => [registry, `its own count ${formatCount(count)}, the total ${formatCount(total)}`, "the other registries' counts"] as const),
      ['Analyst', `that the query ran over ${tables.length} tables of 1 row each`, 'the total, any count'],
      ['each node', 'table names, schemas, row counts (public)', 'any count, the total: it holds random-looking shares'],
    ]);
    const ms = performance.now() - started;
    io.line(`  (a) took ${formatSeconds(ms)}`);
    return { total, ms };
  } finally {
    await Promise.all([...registries, analyst].map((c) => c.close()));
  }
}
