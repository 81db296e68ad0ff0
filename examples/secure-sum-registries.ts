/**
 * Secure sum across registries: three registries each upload their patient count; an analyst
 * asks for the total, which only the three registries can open.
 *
 * Against a local cluster (see README.md, "Run a local cluster"):
 *
 *   tessera cluster init ./cluster && tessera cluster up ./cluster     (tessera = node dist/src/cli/main.js)
 *   node dist/examples/secure-sum-registries.js --cluster ./cluster
 *
 * `cluster init` created the parties used here and their key files in ./cluster/parties/.
 */

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tessera, TableNotFoundError } from 'tessera';

const { values } = parseArgs({ options: { cluster: { type: 'string' } } });
if (!values.cluster) {
  console.error('usage: node dist/examples/secure-sum-registries.js --cluster DIR   (a cluster from `tessera cluster init DIR`)');
  process.exit(2);
}
const dir = values.cluster;

/** A client for one party of the local cluster, talking to one of its nodes (any will do). */
function connect(keyFile: string, node: number): Promise<Tessera> {
  return Tessera.connect({
    collaboration: join(dir, 'collaboration.json'),
    identity: join(dir, 'parties', keyFile),
    ca: join(dir, 'certs', 'ca.pem'),
    node,
  });
}

const registries = [
  { name: 'Registry North', keyFile: 'registry-north.key.json', table: 'example_north', patients: 1284 },
  { name: 'Registry East', keyFile: 'registry-east.key.json', table: 'example_east', patients: 2917 },
  { name: 'Registry South', keyFile: 'registry-south.key.json', table: 'example_south', patients: 865 },
];

// 1. Each registry uploads its count. The client splits it into three random shares on this
//    machine and seals one to each node; no node ever sees the count.
const clients: Tessera[] = [];
for (const [i, registry] of registries.entries()) {
  const client = await connect(registry.keyFile, i);
  clients.push(client);
  // Tables are immutable: to run this example again, the owner replaces its table.
  await client.deleteTable(registry.table).catch((error: unknown) => {
    if (!(error instanceof TableNotFoundError)) throw error;
  });
  await client.uploadTable(registry.table, { columns: { patients: [registry.patients] } }, { columns: { patients: { type: 'integer', min: 0, max: 10_000_000 } } });
  console.log(`${registry.name} uploaded its count (${registry.patients})`);
}

// 2. The analyst asks for the sum over the three tables, for the three registries.
const analyst = await connect('analyst.key.json', 0);
const query = await analyst.sum({ column: 'patients', tables: registries.map((r) => r.table), recipients: registries.map((r) => r.name) });
const info = await query.wait(); // the query runs as a job at the nodes
console.log(`Analyst ran query ${query.id} over ${info.rows} rows; it cannot open the result`);

// 3. Each registry opens the total with its own key.
for (const [i, registry] of registries.entries()) {
  const result = await clients[i].result(query.id);
  console.log(`${registry.name} opens the total: ${result.value}`);
}

for (const client of [...clients, analyst]) await client.close();
