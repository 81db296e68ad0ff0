/**
 * A contributor's credential as presented in the `x-tessera-credential` header: read, and checked
 * against the append table's owner before anything else of the request is read. Used for the
 * schema read (GET /v1/append-tables/:name) and for contributions, whose body the node reads only
 * once the header's credential checks (the frame header must then carry the same credential).
 */

import type { SignedStatement } from '../../crypto/signed.js';
import { CredentialError, TableNotFoundError } from '../../errors.js';
import type { AppendTableMetadata } from '../storage.js';
import type { CredentialHeader } from '../../wire/api.js';
import { CONTRIBUTOR_ID } from '../../wire/credential.js';
import { checkStatementShape } from '../credentials.js';
import { checkTableName } from '../storage/names.js';
import type { NodeContext } from '../context.js';

/** A credential as presented (the contributor it names, the owner's statement, a batch's proof). */
export interface PresentedCredential {
  readonly contributor: string;
  readonly credential: unknown;
  readonly proof: unknown;
}

export interface AuthorisedContributor extends PresentedCredential {
  readonly meta: AppendTableMetadata;
  /** Encoded columns of the table (sizes a contribution's body). */
  readonly encodedColumns: number;
}

/** Reads the header: base64 of `CredentialHeader` JSON, or of a single credential's statement alone. */
export function parseCredentialHeader(header: string | undefined, action: string): PresentedCredential {
  if (!header) throw new CredentialError(`${action} needs its contribution credential (header x-tessera-credential; use the Tessera client)`);
  let parsed: Partial<CredentialHeader> & { payloadType?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as typeof parsed;
  } catch {
    throw new CredentialError('the x-tessera-credential header must be the base64 of the credential JSON');
  }
  if (!parsed || typeof parsed !== 'object') throw new CredentialError('the x-tessera-credential header must be the base64 of the credential JSON');
  if (parsed.payloadType !== undefined) {
    // A single credential on its own: it names its contributor.
    const statement = checkStatementShape(parsed);
    return { contributor: singleCredentialContributor(statement), credential: statement, proof: undefined };
  }
  if (typeof parsed.contributor !== 'string' || !CONTRIBUTOR_ID.test(parsed.contributor)) throw new CredentialError('the credential header names no valid contributor');
  return { contributor: parsed.contributor, credential: parsed.credential, proof: parsed.proof };
}

/** Checks the header's credential against append table `name`'s owner; TableNotFoundError, CredentialError. */
export async function authoriseContributor(ctx: NodeContext, name: string, header: string | undefined, action: string): Promise<AuthorisedContributor> {
  checkTableName(name);
  const presented = parseCredentialHeader(header, action);
  let facts;
  try {
    facts = await ctx.contributions.appendFacts(name);
  } catch (error) {
    if (error instanceof TableNotFoundError) throw new TableNotFoundError(name, `no append table named '${name}' in collaboration '${ctx.collaboration.id}'`);
    throw error;
  }
  ctx.credentials.check(name, facts.meta.owner, presented.contributor, presented.credential, presented.proof);
  return { contributor: presented.contributor, credential: presented.credential, proof: presented.proof, meta: facts.meta, encodedColumns: facts.encodedColumns };
}

/** Refuses a contribution whose frame carries another credential than the header that was checked. */
export function requireSameCredential(inFrame: PresentedCredential, checked: PresentedCredential): void {
  if (inFrame.contributor !== checked.contributor || !sameJson(inFrame.credential, checked.credential) || !sameJson(inFrame.proof ?? null, checked.proof ?? null)) {
    throw new CredentialError('the contribution carries another credential than its x-tessera-credential header: send both from the same credential (use the Tessera client)');
  }
}

/** Equality of two parsed JSON values (key order aside): cheaper than serialising both, on every contribution. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const rb = b as Record<string, unknown>;
  return ka.length === Object.keys(rb).length && ka.every((k) => Object.hasOwn(rb, k) && sameJson((a as Record<string, unknown>)[k], rb[k]));
}

/** The contributor a single credential names (unverified; the check follows). */
function singleCredentialContributor(statement: SignedStatement): string {
  try {
    const claims = JSON.parse(Buffer.from(statement.payload, 'base64').toString('utf8')) as { contributor?: unknown };
    if (typeof claims.contributor === 'string' && CONTRIBUTOR_ID.test(claims.contributor)) return claims.contributor;
  } catch {
    // reported below
  }
  throw new CredentialError('the credential names no valid contributor');
}
