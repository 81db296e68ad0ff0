/**
 * What a design query sees under a table name (docs/governance.md, "Design mode"): the dummy
 * table the owner uploaded under that name, or else a dummy generated from the real table's
 * public schema (never from its rows) with the collaboration's public seed. The real table's
 * shares are never read: only its listing (schema, owner) from the store's in-memory index.
 */

import { canonicalHash, canonicalJson } from '../../crypto/canonical-json.js';
import { SchemaError, TableNotFoundError } from '../../errors.js';
import { generateDummyColumns } from '../../design/dummy-values.js';
import type { Collaboration } from '../../governance/collaboration.js';
import { DEFAULT_DUMMY_ROWS } from '../../governance/policy.js';
import type { EncodedColumn } from '../../table/encode.js';
import { parseSchema, schemaToJson, type TableSchema } from '../../table/schema.js';
import type { NodeContext } from '../context.js';

export interface DesignTable {
  readonly name: string;
  /** Who owns the name: the real table's owner, or the uploader of the dummy. */
  readonly owner: string;
  readonly source: 'uploaded' | 'generated';
  readonly schema: TableSchema;
  readonly rows: number;
  /** Identifies the dummy's content; the three nodes compare it before computing. */
  readonly digest: string;
  /** The encoded columns (ring elements), in encodedColumnNames order. */
  columns(): readonly EncodedColumn[];
}

/** The public seed and row count of generated dummies (the policy's `design` settings, or defaults). */
export function designSettings(collaboration: Collaboration): { readonly seed: string; readonly rows: number } {
  const design = collaboration.governance?.design;
  return { seed: design?.seed ?? `tessera-design:${collaboration.id}`, rows: design?.rows ?? DEFAULT_DUMMY_ROWS };
}

/** The dummy table a design query reads under `name`; TableNotFoundError when there is neither a dummy nor a real table of that name. */
export async function designTable(ctx: NodeContext, name: string): Promise<DesignTable> {
  const uploaded = ctx.governance.dummies.get(name);
  const listing = await ctx.store.describeTable(name).catch((error: unknown) => {
    if (error instanceof TableNotFoundError && uploaded) return undefined;
    if (error instanceof TableNotFoundError) throw new TableNotFoundError(name, `no table named '${name}', and no dummy table of that name: design queries read the dummies of real tables, or dummies their owners uploaded (tessera upload NAME FILE --dummy)`);
    throw error;
  });
  if (listing?.kind === 'damaged') throw ctx.store.damagedError(name);
  const schema = listing ? parseSchema(listing.metadata.schema) : undefined;
  if (uploaded) {
    const d = uploaded.dummy;
    // A real table made after the dummy (by its owner, with its schema) is what scripts will run on: the dummy must still stand for it.
    if (listing && schema && (listing.metadata.owner !== uploaded.owner || canonicalJson(schemaToJson(schema)) !== canonicalJson(schemaToJson(d.schema)))) {
      throw new SchemaError(`the dummy of '${name}' (uploaded by '${uploaded.owner}') no longer stands for the real table of '${listing.metadata.owner}' (another owner or schema): its owner uploads a new dummy with the real table's schema (tessera upload ${name} FILE --dummy)`);
    }
    return { name, owner: uploaded.owner, source: 'uploaded', schema: d.schema, rows: d.rows, digest: d.digest, columns: () => d.columns };
  }
  if (!listing || !schema) throw new TableNotFoundError(name, `no table named '${name}'`);
  const { seed, rows } = designSettings(ctx.collaboration);
  const digest = canonicalHash({ generated: { seed, table: name, schema: schemaToJson(schema), rows } });
  let columns: readonly EncodedColumn[] | undefined;
  return {
    name,
    owner: listing.metadata.owner,
    source: 'generated',
    schema,
    rows,
    digest,
    columns: () => (columns ??= generateDummyColumns({ seed, table: name, schema, rows })),
  };
}
