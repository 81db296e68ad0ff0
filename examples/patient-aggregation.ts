/**
 * Secure aggregation of patients: a hospital opens an append table; each patient submits one
 * value (systolic blood pressure) with their own client; only the hospital learns the mean.
 *
 * Against a local cluster (see README.md, "Run a local cluster"):
 *
 *   tessera cluster init ./cluster && tessera cluster up ./cluster     (tessera = node dist/src/cli/main.js)
 *   node dist/examples/patient-aggregation.js --cluster ./cluster [--patients 200]
 */

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tessera, TableNotFoundError, RangeCheckError } from 'tessera';

const { values } = parseArgs({ options: { cluster: { type: 'string' }, patients: { type: 'string', default: '200' } } });
if (!values.cluster) {
  console.error('usage: node dist/examples/patient-aggregation.js --cluster DIR [--patients N]');
  process.exit(2);
}
const dir = values.cluster;
const patients = Number(values.patients);
const collaboration = join(dir, 'collaboration.json');
const ca = join(dir, 'certs', 'ca.pem');
const table = 'example_blood_pressure';

// 1. The hospital (an input party) creates the append table; its schema, with the declared
//    range, is public. Then it issues one credential per invited patient.
const hospital = await Tessera.connect({ collaboration, identity: join(dir, 'parties', 'st-mary-hospital.key.json'), ca });
await hospital.deleteTable(table).catch((error: unknown) => {
  if (!(error instanceof TableNotFoundError)) throw error; // first run: nothing to replace
});
await hospital.createAppendTable(table, { version: 1, columns: [{ name: 'systolic', nullable: false, type: 'integer', min: '70', max: '250' }] });
// One signature over a batch of credentials (a Merkle root); each patient gets their own proof.
const credentials = hospital.issueCredentials(table, patients);
console.log(`St. Mary Hospital created '${table}' and issued ${patients} credentials`);

// 2. Each patient submits from their own client: no key of the collaboration, just the
//    credential. The value is checked against the public schema before anything is sent.
const systolic = (i: number): number => 110 + (i % 40);
let expected = 0;
await Promise.all(
  credentials.map(async (credential, i) => {
    const patient = await Tessera.connect({ collaboration, ca, node: i % 3 });
    try {
      await patient.contribute(table, systolic(i), credential);
      expected += systolic(i);
    } finally {
      await patient.close();
    }
  }),
);
console.log(`${patients} patients submitted`);

// A value outside the declared range never leaves the patient's machine.
const late = await Tessera.connect({ collaboration, ca });
try {
  await late.contribute(table, 400, hospital.issueCredential(table));
} catch (error) {
  if (!(error instanceof RangeCheckError)) throw error;
  console.log(`An out-of-range value was refused on the patient's side: ${error.message}`);
}
await late.close();

// 3. The hospital asks for the mean, for itself; only it can open the result.
const result = await (await hospital.mean({ column: 'systolic', tables: [table], recipients: ['St. Mary Hospital'] })).result();
console.log(`St. Mary Hospital learns: mean ${Number(result.value).toFixed(2)} mmHg (sum ${result.sum} over ${result.count} patients)`);
console.log(`(the patients' values, known only to this simulation, add up to ${expected})`);
await hospital.close();
