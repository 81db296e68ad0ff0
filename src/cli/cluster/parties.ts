/**
 * Parties of a local cluster: the demo set that `cluster init` creates by default, `--party
 * NAME:role,role` specifications, and the file-name form of a party name.
 */

import { checkPartyName } from '../../crypto/identity.js';
import { InvalidNameError, UsageError } from '../../errors.js';
import { ROLES, type Role } from '../../governance/collaboration.js';
import type { PartySpec } from '../../node/embedded-cluster.js';

/** The parties the demo and the examples use: three registries, a hospital, an insurer, an analyst. */
export const DEMO_PARTIES: readonly PartySpec[] = [
  { name: 'Registry North', roles: ['input', 'output', 'representative'] },
  { name: 'Registry East', roles: ['input', 'output', 'representative'] },
  { name: 'Registry South', roles: ['input', 'output', 'representative'] },
  { name: 'St. Mary Hospital', roles: ['input', 'output', 'analyst', 'representative'] },
  { name: 'Northwind Health Insurance', roles: ['input', 'output', 'representative'] },
  { name: 'Analyst', roles: ['analyst'] },
  { name: 'Researcher', roles: ['analyst', 'output'] },
];

/** The demo's policy (docs/governance.md): each owner approves, through its own representative, what runs on its tables. */
export const DEMO_POLICY = {
  owners: [
    ...['Registry North', 'Registry East', 'Registry South'].map((owner) => ({ owner, approvers: [owner], required: 'one' as const, recipients: ['Registry North', 'Registry East', 'Registry South'] })),
    { owner: 'St. Mary Hospital', approvers: ['St. Mary Hospital'], required: 'one' as const, recipients: ['St. Mary Hospital', 'Researcher'] },
    { owner: 'Northwind Health Insurance', approvers: ['Northwind Health Insurance'], required: 'one' as const, recipients: ['St. Mary Hospital', 'Researcher'] },
  ],
};

/** "St. Mary Hospital" → "st-mary-hospital": the party's key files are named by it. */
export function partySlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // accents: 'Zürich' → 'zurich'
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.length > 0 ? slug.slice(0, 60) : 'party';
}

/** Parses `NAME:role,role` (the last colon separates the roles, so names may contain colons). */
export function parsePartySpec(text: string): PartySpec {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) throw new UsageError(`--party '${text}' must be NAME:role[,role...], e.g. --party 'City Clinic:input,output' (roles: ${ROLES.join(', ')})`);
  const name = text.slice(0, colon);
  try {
    checkPartyName(name, `the party name in --party '${text}'`);
  } catch (error) {
    if (error instanceof InvalidNameError) throw new UsageError(error.message);
    throw error;
  }
  const roles = text
    .slice(colon + 1)
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  if (roles.length === 0) throw new UsageError(`--party '${text}' names no role; give at least one of ${ROLES.join(', ')}`);
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`unknown role '${role}' in --party '${text}'; roles are ${ROLES.join(', ')}`);
  }
  if (new Set(roles).size !== roles.length) throw new UsageError(`--party '${text}' lists a role twice`);
  return { name, roles: roles as Role[] };
}

/** Checks that names and their file names are unique (ignoring case), with a message saying which clash. */
export function checkDistinctParties(parties: readonly PartySpec[]): void {
  const names = new Map<string, string>();
  const slugs = new Map<string, string>();
  for (const p of parties) {
    const previous = names.get(p.name.toLowerCase());
    if (previous !== undefined) {
      throw new UsageError(`party '${p.name}' is given twice${previous !== p.name ? ` (as '${previous}')` : ''}; a demo party is included by default, leave it out of --party or pass --no-demo-parties`);
    }
    names.set(p.name.toLowerCase(), p.name);
    const slug = partySlug(p.name);
    const clash = slugs.get(slug);
    if (clash !== undefined) throw new UsageError(`parties '${clash}' and '${p.name}' would share the key file name '${slug}'; choose names that differ in letters or digits`);
    slugs.set(slug, p.name);
  }
}
