/**
 * Use case (c), linked records across two owners: a hospital holds admissions (patient, age,
 * region), an insurer holds claims (patient, amount). Both hash their patient numbers with the
 * key they share (identifier columns), so the same patient matches across the two tables while
 * no node, and not the analyst, ever sees a patient number. The analyst joins the claims to the
 * admissions, keeps adult patients, groups by region and opens the claim count and mean amount
 * per region to the hospital. The demo checks the opened table against the same computation on
 * the plaintext, which only the demo (playing both owners) has.
 */

import { randomBytes } from 'node:crypto';
import { count, mean, sum } from '../../client/aggregates.js';
import { col } from '../../client/expr.js';
import type { NodeIndex } from '../../governance/collaboration.js';
import { formatCount, formatNumber, formatSeconds, type Console } from '../output.js';
import { heading, learned } from './narration.js';
import type { DemoTarget } from './target.js';
import type { GovernedQueries } from './governed.js';

export const HOSPITAL = 'St. Mary Hospital';
export const INSURER = 'Northwind Health Insurance';
const REGIONS = ['North', 'East', 'South', 'West'] as const;

interface Admission {
  readonly patient: string;
  readonly age: number;
  readonly region: (typeof REGIONS)[number];
}

interface Claim {
  readonly patient: string;
  readonly amount: string;
}

/** A small deterministic data set: 400 admitted patients, about 1,000 claims (some for patients the hospital never saw). */
export function linkedData(): { admissions: Admission[]; claims: Claim[] } {
  let state = 20261205;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const admissions: Admission[] = [];
  for (let i = 0; i < 400; i++) admissions.push({ patient: `P-${String(100000 + i * 7)}`, age: Math.floor(next() * 95), region: REGIONS[Math.floor(next() * REGIONS.length)] });
  const claims: Claim[] = [];
  for (let i = 0; i < 1000; i++) {
    const known = next() < 0.9;
    const patient = known ? admissions[Math.floor(next() * admissions.length)].patient : `P-${String(900000 + i)}`;
    claims.push({ patient, amount: (20 + next() * 1980).toFixed(2) });
  }
  return { admissions, claims };
}

export interface RegionRow {
  readonly region: string;
  readonly claims: number;
  readonly total: number;
  readonly mean: number;
}

/** The plaintext answer, for the check: adult patients' claims per region. */
export function plaintextAnswer(data: ReturnType<typeof linkedData>): RegionRow[] {
  const byPatient = new Map(data.admissions.map((a) => [a.patient, a]));
  const rows = new Map<string, { claims: number; cents: number }>();
  for (const c of data.claims) {
    const a = byPatient.get(c.patient);
    if (!a || a.age < 18) continue;
    const r = rows.get(a.region) ?? { claims: 0, cents: 0 };
    r.claims += 1;
    r.cents += Math.round(Number(c.amount) * 100);
    rows.set(a.region, r);
  }
  return [...rows.entries()].map(([region, r]) => ({ region, claims: r.claims, total: r.cents / 100, mean: r.cents / 100 / r.claims })).sort((x, y) => x.region.localeCompare(y.region));
}

export interface LinkedOutcome {
  readonly rows: readonly RegionRow[];
  readonly matches: boolean;
  readonly ms: number;
}

export async function runLinkedRecords(target: DemoTarget, io: Console, governed: GovernedQueries): Promise<LinkedOutcome> {
  const s = io.style;
  const started = performance.now();
  heading(
    io,
    '(c) Linked records across two owners',
    `${HOSPITAL} knows who was admitted (age, region); ${INSURER} knows who claimed what. Together they could say what adult patients claim per region; neither may see the other's records, and nobody may see a patient number.`,
  );
  const data = linkedData();
  // The owners' shared identifier key: each hashes its patient numbers with it before sharing; nodes never get it.
  const identifierKey = randomBytes(32);
  const hospital = await target.connect(HOSPITAL, 0 as NodeIndex, { identifierKey });
  const insurer = await target.connect(INSURER, 1 as NodeIndex, { identifierKey });
  const analyst = await target.connect('Analyst', 2 as NodeIndex);
  const admissions = `admissions${target.tableSuffix}`, claims = `claims${target.tableSuffix}`;
  try {
    await hospital.uploadTable(
      admissions,
      { columns: { patient: data.admissions.map((a) => a.patient), age: data.admissions.map((a) => a.age), region: data.admissions.map((a) => a.region) } },
      { columns: { patient: { type: 'identifier' }, age: { type: 'integer', min: 0, max: 120 }, region: { type: 'category', dictionary: [...REGIONS] } } },
    );
    io.line(`  ${HOSPITAL} uploads ${admissions}: ${formatCount(data.admissions.length)} patients (patient identifier, age, region)`);
    await insurer.uploadTable(
      claims,
      { columns: { patient: data.claims.map((c) => c.patient), amount: data.claims.map((c) => c.amount) } },
      { columns: { patient: { type: 'identifier' }, amount: { type: 'decimal', scale: 2, min: 0, max: 10000 } } },
    );
    io.line(`  ${INSURER} uploads ${claims}: ${formatCount(data.claims.length)} claims (patient identifier, amount)`);
    io.line(s.dim('  (each owner hashed its patient numbers with the key the two share, then split every value into shares for the three nodes)'));
    io.line('');

    const frame = analyst
      .table(claims)
      .select('patient', 'amount')
      .join(analyst.table(admissions).select('patient', 'age', 'region'), { on: 'patient' })
      .filter(col('age').ge(18))
      .groupBy('region')
      .agg({ claims: count(), total: sum('amount'), mean_amount: mean('amount') });
    const to = { to: [HOSPITAL] };
    const explained = await frame.explain(to);
    io.line('  Analyst: claims.join(admissions, on patient).filter(age >= 18).groupBy(region).agg(count, sum, mean)');
    io.line(`  The nodes' check before running it: ${formatCount(explained.cost.rounds)} rounds, ~${formatNumber(explained.cost.bytesPerParty / 2 ** 20, 1)} MiB per node; made public:`);
    for (const d of explained.disclosures) io.line(s.dim(`    ${d.path}  ${d.what}`));
    const askedAt = performance.now();
    const handle = await governed.run(analyst, 'Claims per region of adult patients', () => frame.open(to));
    await handle.wait();
    io.line(`  query ${handle.id} ran in ${formatSeconds(performance.now() - askedAt)}; ${HOSPITAL} opens the result:`);
    const result = await hospital.result(handle.id);
    const rows: RegionRow[] = result.table.rows
      .map((r) => ({ region: String(r.region), claims: Number(r.claims), total: Number(r.total), mean: Number(r.mean_amount) }))
      .filter((r) => r.claims > 0)
      .sort((x, y) => x.region.localeCompare(y.region));
    for (const r of rows) io.line(`    ${r.region.padEnd(6)} ${formatCount(r.claims).padStart(5)} claims  total ${formatNumber(r.total, 2).padStart(10)}  mean ${s.green(s.bold(formatNumber(r.mean, 2)))}`);
    const want = plaintextAnswer(data);
    const matches = want.length === rows.length && want.every((w, i) => w.region === rows[i].region && w.claims === rows[i].claims && Math.abs(w.total - rows[i].total) < 0.005 && Math.abs(w.mean - rows[i].mean) < 1e-9 * Math.max(1, w.mean));
    io.line(matches ? s.green('  ✓ equal to the same computation on the plaintext (which only this demo, playing both owners, can do)') : s.red('  ✗ differs from the plaintext computation'));
    io.line('');
    learned(io, [
      [HOSPITAL, 'the claims count, total and mean amount per region of adult patients', "any claim, which of its patients claimed, the insurer's unmatched claims"],
      [INSURER, 'nothing (not a recipient)', "the hospital's patients, ages, regions"],
      ['Analyst', 'the plan, its cost and what it makes public', 'any row, any result'],
      ['each node', 'row counts, how many claims matched an admitted patient and how many were adults (the disclosures above)', 'which claims matched, any patient number, age, region or amount'],
    ]);
    const ms = performance.now() - started;
    io.line(`  (c) took ${formatSeconds(ms)}`);
    return { rows, matches, ms };
  } finally {
    await Promise.all([hospital, insurer, analyst].map((c) => c.close()));
  }
}
