/**
 * Use case (b), secure aggregation of patients: a hospital opens an append table with a declared
 * range; each patient submits one value with their own client and request; only the hospital
 * learns the sum and mean. A second submission, a malformed and an out-of-range value are
 * refused; some patients never submit.
 */

import type { Credential } from '../../client/tessera.js';
import type { NodeIndex } from '../../governance/collaboration.js';
import { formatCount, formatNumber, formatSeconds, type Console } from '../output.js';
import { startProgress } from '../progress.js';
import { heading, learned, refusal, storedBytes, triesToOpen } from './narration.js';
import { sampleAppendLog } from './node-files.js';
import type { DemoTarget } from './target.js';
import type { GovernedQueries } from './governed.js';

const HOSPITAL = 'St. Mary Hospital';
export const SYSTOLIC_MIN = 70;
export const SYSTOLIC_MAX = 250;
/** Patients who were invited but never submit. */
const NEVER_SUBMIT = 100;
const CONCURRENCY = 16;

/** Patient i's systolic blood pressure (mmHg): a fixed, plausible spread from 100 to 170. */
export function systolicOf(i: number): number {
  return 100 + ((i * 7919) % 41) + ((i * 104_729) % 31);
}

export interface PatientsOutcome {
  readonly submitted: number;
  readonly sum: number;
  readonly mean: number;
  readonly submitMs: number;
  readonly ms: number;
}

export async function runPatients(target: DemoTarget, io: Console, patients: number, governed: GovernedQueries): Promise<PatientsOutcome> {
  const s = io.style;
  const started = performance.now();
  heading(io, '(b) Secure aggregation of patients', `${formatCount(patients)} patients each submit their systolic blood pressure from their own device. Only ${HOSPITAL} may learn the sum and mean; nobody, the hospital included, may see a patient's value.`);

  const table = `blood_pressure${target.tableSuffix}`;
  const hospital = await target.connect(HOSPITAL, 0);
  const analyst = await target.connect('Analyst', 1);
  try {
    await hospital.createAppendTable(table, { version: 1, columns: [{ name: 'systolic', nullable: false, type: 'integer', min: String(SYSTOLIC_MIN), max: String(SYSTOLIC_MAX) }] });
    const invited = patients + 2 + NEVER_SUBMIT; // two more whose submissions are refused below
    // One owner signature over the whole batch (a Merkle root); each patient gets a proof with it.
    const credentials: Credential[] = hospital.issueCredentials(table, invited);
    io.line(`  ${HOSPITAL} opens append table ${table}: systolic, integer, declared range [${SYSTOLIC_MIN}, ${SYSTOLIC_MAX}] mmHg (public)`);
    io.line(`  and invites ${formatCount(invited)} patients: a credential each (a random id, not a name), signed as one batch`);
    io.line('');

    const submitStarted = performance.now();
    const progress = startProgress(io, patients, 'patients submitting');
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < patients) {
        const i = next++;
        // Each patient: their own client (no key of the collaboration) and their own request.
        const patient = await target.connect(undefined, (i % 3) as NodeIndex);
        try {
          await patient.contribute(table, systolicOf(i), credentials[i]);
        } finally {
          await patient.close();
        }
        progress.increment();
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      progress.stop();
    }
    const submitMs = performance.now() - submitStarted;
    io.line(`  ${formatCount(patients)} submissions stored at all three nodes in ${formatSeconds(submitMs)} (${Math.round(patients / (submitMs / 1000))}/s, ${CONCURRENCY} patients at a time)`);
    io.line('');

    io.line('  Refused, with the message the patient sees:');
    const attempts: [string, Credential, number | string][] = [
      [`patient 1 submits again (${systolicOf(0) + 5})`, credentials[0], systolicOf(0) + 5],
      [`patient ${formatCount(patients + 1)} types "120/80"`, credentials[patients], '120/80'],
      [`patient ${formatCount(patients + 2)} types 400`, credentials[patients + 1], 400],
    ];
    const someone = await target.connect(undefined, 2);
    try {
      for (const [what, credential, value] of attempts) {
        let outcome: string;
        try {
          await someone.contribute(table, value, credential);
          outcome = s.red('accepted (unexpected!)');
        } catch (error) {
          outcome = refusal(error);
        }
        io.line(`    ${what}: ${s.red('refused')} — ${outcome}`);
      }
    } finally {
      await someone.close();
    }
    io.line(s.dim('  (malformed and out-of-range values are refused by the patient\'s client before anything is sent; a modified client that sent one anyway would have its row excluded by the nodes\' range check in MPC)'));
    io.line(`  ${formatCount(NEVER_SUBMIT + 2)} invited patients have no row: ${formatCount(NEVER_SUBMIT)} never submitted, 2 were refused.`);
    io.line('');

    io.line('  What the nodes store, a few bytes of each node\'s contribution log:');
    storedBytes(io, await Promise.all(target.nodeNames.map(async (node, i) => ({ node, sample: await sampleAppendLog(target.dataDir(i as NodeIndex), table) }))));
    io.line('');

    const queryStarted = performance.now();
    const query = await governed.run(hospital, 'Mean systolic blood pressure of the patients', () => hospital.mean({ column: 'systolic', tables: [table], recipients: [HOSPITAL] }));
    const result = await query.result();
    const sum = Number(result.sum);
    const count = result.count ?? 0;
    const mean = Number(result.value);
    io.line(`  ${HOSPITAL} asks for mean(systolic), result for itself → query ${query.id} (${formatSeconds(performance.now() - queryStarted)}, range check in MPC over ${formatCount(result.rows)} rows, ${result.excluded} excluded)`);
    io.line(`  ${HOSPITAL} opens: sum ${s.green(s.bold(formatCount(sum)))} over ${s.bold(formatCount(count))} patients, mean ${s.green(s.bold(formatNumber(mean, 2)))} mmHg`);
    let expected = 0;
    for (let i = 0; i < patients; i++) expected += systolicOf(i);
    io.line(s.dim(`  (check: the simulated patients' own values add up to ${formatCount(expected)}${expected === sum ? ' ✓' : ' ✗ MISMATCH'})`));
    const analystTried = await triesToOpen(analyst, query.id);
    io.line(`  Analyst tries to open it: ${s.red('refused')} (${analystTried})`);
    io.line('');
    learned(io, [
      ['each patient', 'their own value; that it was stored', "other patients' values, the sum"],
      [HOSPITAL, `sum ${formatCount(sum)}, mean ${formatNumber(mean, 2)} of ${formatCount(count)} values`, "any patient's value"],
      ['Analyst', 'that the query ran, on how many rows', 'the sum, the mean'],
      ['each node', `that ${formatCount(result.rows)} rows exist (public)`, 'any value, the sum: it holds random-looking shares'],
    ]);
    const ms = performance.now() - started;
    io.line(`  (b) took ${formatSeconds(ms)}`);
    return { submitted: count, sum, mean, submitMs, ms };
  } finally {
    await hospital.close();
    await analyst.close();
  }
}
