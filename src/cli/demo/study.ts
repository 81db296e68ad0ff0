/**
 * Use case (d), a study on two owners' joined tables: a hospital holds its cohort (patient,
 * treatment, age, diabetes), an insurer holds what happened afterwards (patient, months followed,
 * died). Both hash their patient numbers with the key they share (identifier columns), the
 * researcher joins the two on the patient inside MPC, and each step of the study (STUDY_STEPS)
 * runs one governed statistic on the joined frame, opened to the researcher only: approved by
 * the representatives of both owners, as every demo query is.
 *
 * Adding a statistic to the study is one StudyStep (a module like study-kaplan-meier.ts) and its
 * name in STUDY_STEPS.
 */

import { randomBytes } from 'node:crypto';
import type { LazyFrame } from '../../client/frame.js';
import type { Tessera } from '../../client/tessera.js';
import type { NodeIndex } from '../../governance/collaboration.js';
import { formatCount, formatSeconds, type Console } from '../output.js';
import { HOSPITAL, INSURER } from './linked-records.js';
import { heading, learned } from './narration.js';
import type { GovernedQueries } from './governed.js';
import type { DemoTarget } from './target.js';
import { kaplanMeierStep } from './study-kaplan-meier.js';
import { logitStep } from './study-logit.js';

export const RESEARCHER = 'Researcher';
export const TREATMENTS = ['standard', 'new'] as const;
export const FOLLOW_UP_MONTHS = 60;

export interface CohortPatient {
  readonly patient: string;
  readonly treatment: (typeof TREATMENTS)[number];
  readonly age: number;
  readonly diabetes: boolean;
}

export interface FollowUp {
  readonly patient: string;
  readonly months: number;
  readonly died: boolean;
}

export interface StudyData {
  readonly cohort: readonly CohortPatient[];
  readonly followUp: readonly FollowUp[];
}

/** The joined rows, in plaintext: what only this demo (playing both owners) can compute, for the checks. */
export interface StudyRow extends CohortPatient, FollowUp {}

/** The columns of the joined frame. */
export type StudyColumn = 'patient' | 'treatment' | 'age' | 'diabetes' | 'months' | 'died';

export interface StudyContext {
  readonly io: Console;
  readonly governed: GovernedQueries;
  /** The researcher's client (analyst and output roles): it builds, submits and opens every step. */
  readonly researcher: Tessera;
  /** The researcher's party name: every step opens to it only. */
  readonly recipient: string;
  /** The insurer's follow-up joined to the hospital's cohort on the hashed patient identifier. */
  readonly joined: LazyFrame<StudyColumn>;
  readonly plaintext: readonly StudyRow[];
}

export interface StepOutcome {
  /** One line for the demo's summary. */
  readonly summary: string;
  /** Whether the opened result equals the same computation on the plaintext. */
  readonly matches: boolean;
}

export interface StudyStep {
  readonly title: string;
  run(context: StudyContext): Promise<StepOutcome>;
}

/** The study's statistics, in order. */
export const STUDY_STEPS: readonly StudyStep[] = [kaplanMeierStep, logitStep];

/** 600 patients at the hospital; the insurer followed 560 of them and 40 people the hospital never treated. */
export function studyData(): StudyData {
  let state = 4_242_021;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const cohort: CohortPatient[] = [];
  const followUp: FollowUp[] = [];
  for (let i = 0; i < 600; i++) {
    const treatment = TREATMENTS[next() < 0.5 ? 0 : 1];
    const age = 40 + Math.floor(next() * 45);
    const diabetes = next() < 0.3;
    const patient = `P-${String(200000 + i * 11)}`;
    cohort.push({ patient, treatment, age, diabetes });
    if (next() < 0.07) continue; // never insured with Northwind
    // Monthly hazard: lower on the new treatment, higher with age and diabetes.
    const hazard = 0.012 * (treatment === 'new' ? 0.6 : 1) * Math.exp((age - 60) / 25) * (diabetes ? 1.5 : 1);
    const death = Math.ceil(-Math.log(1 - next()) / hazard);
    const censored = 6 + Math.floor(next() * (FOLLOW_UP_MONTHS - 5)); // enrolled 6 to 60 months ago
    followUp.push(death <= censored ? { patient, months: death, died: true } : { patient, months: censored, died: false });
  }
  for (let i = 0; i < 40; i++) followUp.push({ patient: `P-${String(900000 + i)}`, months: 1 + Math.floor(next() * FOLLOW_UP_MONTHS), died: next() < 0.2 });
  return { cohort, followUp };
}

export function joinedPlaintext(data: StudyData): StudyRow[] {
  const byPatient = new Map(data.cohort.map((c) => [c.patient, c]));
  return data.followUp.flatMap((f) => {
    const c = byPatient.get(f.patient);
    return c ? [{ ...c, ...f }] : [];
  });
}

export interface StudyOutcome {
  readonly steps: readonly (StepOutcome & { readonly title: string })[];
  readonly matches: boolean;
  readonly ms: number;
}

export async function runStudy(target: DemoTarget, io: Console, governed: GovernedQueries): Promise<StudyOutcome> {
  const started = performance.now();
  heading(
    io,
    '(d) A study on joined tables: survival by treatment, and the odds of death',
    `${HOSPITAL} knows which treatment each patient had; ${INSURER} knows who died and when. A researcher may learn the survival curves by treatment, not any patient's record.`,
  );
  const data = studyData();
  const identifierKey = randomBytes(32);
  const hospital = await target.connect(HOSPITAL, 0 as NodeIndex, { identifierKey });
  const insurer = await target.connect(INSURER, 1 as NodeIndex, { identifierKey });
  const researcher = await target.connect(RESEARCHER, 2 as NodeIndex);
  const cohort = `cohort${target.tableSuffix}`, followUp = `follow_up${target.tableSuffix}`;
  try {
    await hospital.uploadTable(
      cohort,
      { columns: { patient: data.cohort.map((c) => c.patient), treatment: data.cohort.map((c) => c.treatment), age: data.cohort.map((c) => c.age), diabetes: data.cohort.map((c) => c.diabetes) } },
      { columns: { patient: { type: 'identifier' }, treatment: { type: 'category', dictionary: [...TREATMENTS] }, age: { type: 'integer', min: 0, max: 120 }, diabetes: { type: 'boolean' } } },
    );
    io.line(`  ${HOSPITAL} uploads ${cohort}: ${formatCount(data.cohort.length)} patients (patient identifier, treatment, age, diabetes)`);
    await insurer.uploadTable(
      followUp,
      { columns: { patient: data.followUp.map((f) => f.patient), months: data.followUp.map((f) => f.months), died: data.followUp.map((f) => f.died) } },
      { columns: { patient: { type: 'identifier' }, months: { type: 'integer', min: 0, max: FOLLOW_UP_MONTHS }, died: { type: 'boolean' } } },
    );
    io.line(`  ${INSURER} uploads ${followUp}: ${formatCount(data.followUp.length)} insured people (patient identifier, months followed, died)`);
    const joined = researcher
      .table(followUp)
      .select('patient', 'months', 'died')
      .join(researcher.table(cohort).select('patient', 'treatment', 'age', 'diabetes'), { on: 'patient' }) as LazyFrame<StudyColumn>;
    io.line(`  ${RESEARCHER}: follow_up.join(cohort, on patient), inside MPC; each step below opens one statistic of it to ${RESEARCHER} only`);
    const context: StudyContext = { io, governed, researcher, recipient: RESEARCHER, joined, plaintext: joinedPlaintext(data) };
    const steps: (StepOutcome & { title: string })[] = [];
    for (const step of STUDY_STEPS) {
      io.line('');
      io.line(io.style.bold(`  ${step.title}`));
      steps.push({ title: step.title, ...(await step.run(context)) });
    }
    io.line('');
    learned(io, [
      [RESEARCHER, 'what each step opens (below each step), and the plans', 'any patient, their treatment, age, follow-up or death'],
      [HOSPITAL, 'nothing (approves, is not a recipient)', "the insurer's records"],
      [INSURER, 'nothing (approves, is not a recipient)', "the hospital's patients and treatments"],
      ['each node', 'row counts and how many insured people matched a patient (the disclosures above)', 'which matched, any value'],
    ]);
    const ms = performance.now() - started;
    io.line(`  (d) took ${formatSeconds(ms)}`);
    return { steps, matches: steps.every((s) => s.matches), ms };
  } finally {
    await Promise.all([hospital, insurer, researcher].map((c) => c.close()));
  }
}
