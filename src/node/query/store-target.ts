/** What a node holds under the name a store root writes (plan/check-store.ts StoreTarget). */

import { TableNotFoundError } from '../../errors.js';
import type { StoreTarget } from '../../plan/check-store.js';
import type { TableStore } from '../storage.js';

export async function storeTarget(store: TableStore, name: string): Promise<StoreTarget | undefined> {
  const listing = await store.describeTable(name).catch((error: unknown) => {
    if (error instanceof TableNotFoundError) return undefined;
    throw error;
  });
  if (listing === undefined) return undefined;
  if (listing.kind === 'damaged') return { kind: 'damaged', derived: false, ...(listing.damage.owner !== undefined ? { owner: listing.damage.owner } : {}) };
  return { kind: listing.kind, owner: listing.metadata.owner, derived: listing.kind === 'table' && listing.metadata.lineage !== undefined };
}
