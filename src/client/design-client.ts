/**
 * The SDK's design-mode calls (docs/governance.md, "Design mode"), used by Tessera's methods: an
 * owner's dummy table, sent as public rows to every node (each checks and keeps it on its own),
 * and the tables design queries see.
 */

import type { Identity } from '../crypto/identity.js';
import { dummyTableFile, MAX_DUMMY_ROWS } from '../design/dummy-table.js';
import { UsageError } from '../errors.js';
import type { Collaboration, NodeConfig } from '../governance/collaboration.js';
import type { EncodedTable } from '../table/encode.js';
import { DESIGN_ROUTES, type DesignTableInfo } from '../wire/design-routes.js';
import { toEveryNode } from './governance-client.js';
import type { NodeConnection } from './node-connection.js';

/** What a node takes in one JSON request. */
const MAX_DUMMY_BYTES = (1 << 20) - 1024;

export async function uploadDummyTable(collaboration: Collaboration, connectTo: (node: NodeConfig) => NodeConnection, identity: Identity, name: string, encoded: EncodedTable): Promise<DesignTableInfo> {
  if (encoded.rowCount > MAX_DUMMY_ROWS) throw new UsageError(`a dummy table has at most ${MAX_DUMMY_ROWS} rows (it is for designing an analysis); this one has ${encoded.rowCount}`);
  const dummy = dummyTableFile(name, encoded);
  if (Buffer.byteLength(JSON.stringify({ dummy })) > MAX_DUMMY_BYTES) throw new UsageError(`dummy table '${name}' is larger than a node takes in one request (1 MiB): use fewer rows`);
  const infos = await toEveryNode(collaboration, connectTo, `dummy table '${name}'`, (c) => c.send<DesignTableInfo>({ method: 'PUT', path: DESIGN_ROUTES.table(name), json: { dummy }, signer: identity }), { nodesForward: false });
  return infos[0].body;
}

export async function listDesignTables(connection: NodeConnection, identity: Identity): Promise<DesignTableInfo[]> {
  return (await connection.send<DesignTableInfo[]>({ method: 'GET', path: DESIGN_ROUTES.tables, signer: identity })).body;
}
