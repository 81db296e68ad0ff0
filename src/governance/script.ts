/**
 * A script: the ordered list of query plans an analyst will run, recorded (client/script-recorder.ts)
 * and approved by the owners' representatives before anything runs on production data
 * (docs/governance.md). Identified by the SHA-256 of its canonical JSON, like a plan:
 *
 *   { "format": "tessera-script/v1", "collaboration": "diabetes-2025", "title": "Yearly figures",
 *     "analyst": "Analyst", "analystKey": "<Ed25519 SPKI b64>",
 *     "validFrom": "2026-01-01T00:00:00.000Z", "validUntil": "2026-12-31T00:00:00.000Z", "maxRuns": 2,
 *     "steps": [ { "plan": { "version": 1, "root": { "op": "open", "to": [...], "input": ... } } }, ... ] }
 *
 * A step's recipients are its plan's `root.to`; what each step makes public is its plan's.
 */

import { canonicalHash, type JsonValue } from '../crypto/canonical-json.js';
import { FormatError } from '../errors.js';
import { parsePlan } from '../plan/parse.js';
import { planHash, scannedTables, type Plan } from '../plan/plan.js';
import type { Collaboration } from './collaboration.js';

export const SCRIPT_FORMAT = 'tessera-script/v1';
/** Steps per script: a script is read by people before they sign it. */
export const MAX_SCRIPT_STEPS = 1000;

export interface ScriptStep {
  readonly plan: Plan;
}

export interface Script {
  readonly format: typeof SCRIPT_FORMAT;
  readonly collaboration: string;
  readonly title: string;
  readonly analyst: string;
  readonly analystKey: string;
  /** ISO 8601 times: the script runs only in [validFrom, validUntil). */
  readonly validFrom: string;
  readonly validUntil: string;
  /** How many times the whole script may run (each run is every step once, in order). */
  readonly maxRuns: number;
  readonly steps: readonly ScriptStep[];
}

/** The script's id: SHA-256 (hex) of its canonical JSON. */
export function scriptHash(script: Script): string {
  return canonicalHash(script as unknown as JsonValue);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * Checks a script's shape and that it belongs to this collaboration: its analyst is a party with
 * the analyst role and `analystKey` is that party's key; every plan parses. Throws FormatError
 * listing every problem.
 */
export function validateScript(value: unknown, collaboration: Collaboration): Script {
  const problems: string[] = [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FormatError('a script is a JSON object (docs/governance.md)');
  const v = value as Record<string, unknown>;
  const allowed = ['format', 'collaboration', 'title', 'analyst', 'analystKey', 'validFrom', 'validUntil', 'maxRuns', 'steps'];
  for (const key of Object.keys(v)) if (!allowed.includes(key)) problems.push(`unknown field "${key}" (allowed: ${allowed.join(', ')})`);
  if (v.format !== SCRIPT_FORMAT) problems.push(`"format" must be "${SCRIPT_FORMAT}"`);
  if (v.collaboration !== collaboration.id) problems.push(`"collaboration" must be '${collaboration.id}' (the script was recorded for ${JSON.stringify(v.collaboration)})`);
  if (typeof v.title !== 'string' || v.title.length > 200) problems.push('"title" must be a string of at most 200 characters');
  const analyst = typeof v.analyst === 'string' ? collaboration.findParty(v.analyst) : undefined;
  if (!analyst) problems.push('"analyst" must name a party of the collaboration');
  else if (!analyst.roles.includes('analyst')) problems.push(`"analyst": '${analyst.name}' does not have the 'analyst' role`);
  else if (v.analystKey !== analyst.signingKey) problems.push(`"analystKey" is not the signing key the collaboration lists for '${analyst.name}'`);
  for (const field of ['validFrom', 'validUntil'] as const) {
    if (typeof v[field] !== 'string' || !ISO.test(v[field] as string) || Number.isNaN(Date.parse(v[field] as string))) problems.push(`"${field}" must be an ISO 8601 UTC time such as 2026-01-31T00:00:00.000Z`);
  }
  if (typeof v.validFrom === 'string' && typeof v.validUntil === 'string' && Date.parse(v.validUntil) <= Date.parse(v.validFrom)) problems.push('"validUntil" must be later than "validFrom"');
  if (!Number.isSafeInteger(v.maxRuns) || (v.maxRuns as number) < 1) problems.push('"maxRuns" must be a whole number of at least 1');
  const steps: ScriptStep[] = [];
  if (!Array.isArray(v.steps) || v.steps.length === 0 || v.steps.length > MAX_SCRIPT_STEPS) problems.push(`"steps" must list 1 to ${MAX_SCRIPT_STEPS} steps`);
  else {
    v.steps.forEach((step: unknown, i: number) => {
      const s = step as Record<string, unknown> | null;
      if (s === null || typeof s !== 'object' || Array.isArray(s) || Object.keys(s).some((k) => k !== 'plan')) return problems.push(`steps[${i}] must be { plan }`);
      try {
        steps.push({ plan: parsePlan(s.plan) });
      } catch (error) {
        problems.push(`steps[${i}].plan: ${(error as Error).message}`);
      }
    });
  }
  if (problems.length > 0) throw new FormatError(`the script is not valid: ${problems.join('; ')}`);
  return v as unknown as Script;
}

/** A person-readable account of a script: what runs on which tables, what is opened to whom. */
export function describeScript(script: Script): string {
  const lines = [
    `script ${scriptHash(script)}`,
    `  title:         ${script.title || '(none)'}`,
    `  collaboration: ${script.collaboration}`,
    `  analyst:       ${script.analyst}`,
    `  valid:         from ${script.validFrom} until ${script.validUntil}`,
    `  runs:          at most ${script.maxRuns} (each run is every step once, in order)`,
    `  steps:         ${script.steps.length}`,
  ];
  script.steps.forEach((step, i) => {
    lines.push(`  step ${i + 1}: plan ${planHash(step.plan)}`);
    lines.push(`    reads tables: ${scannedTables(step.plan).join(', ')}`);
    lines.push(`    computes:     ${describeNode(step.plan.root.input as unknown as Record<string, unknown>)}`);
    const root = step.plan.root;
    lines.push(root.op === 'open' ? `    opened to:    ${root.to.join(', ')}` : `    stored as:    table '${root.table}' at the nodes (nothing opened)`);
  });
  return lines.join('\n');
}

/** One line per operator, generic over operators this module does not know (joins, sorts, ...). */
function describeNode(node: Record<string, unknown>): string {
  const op = String(node.op);
  if (op === 'scan') return `scan ${String(node.table)}${Array.isArray(node.columns) ? ` (${node.columns.join(', ')})` : ''}`;
  const inputs = Array.isArray(node.inputs) ? (node.inputs as Record<string, unknown>[]) : node.input ? [node.input as Record<string, unknown>] : [];
  const detail: string[] = [];
  if (Array.isArray(node.aggregates)) detail.push((node.aggregates as { name: string; fn: string; column?: string }[]).map((a) => `${a.name} = ${a.fn}(${a.column ?? '*'})`).join(', '));
  if (Array.isArray(node.by)) detail.push(`by ${node.by.join(', ')}`);
  if (node.suppress_below !== undefined) detail.push(`groups under ${String(node.suppress_below)} rows suppressed inside MPC`);
  if (node.mode !== undefined) detail.push(`mode ${String(node.mode)}`);
  return `${op}${detail.length > 0 ? ` [${detail.join('; ')}]` : ''}(${inputs.map(describeNode).join(', ')})`;
}
