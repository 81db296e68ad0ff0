/**
 * One damaged file at one node (issue 7, item 2): the damage stays with its table. Other tables
 * keep working, the node lists the table as damaged, a query naming it is refused with a reason
 * naming the table and the node, and its owner deletes it through any node, at every node, also
 * when a delete is repeated after a partial one. Also the bound on tables, through the API.
 */

import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PermissionDeniedError, QueryFailedError, StorageCorruptionError, TableExistsError, TableLimitError, TableNotFoundError } from '../../src/errors.js';
import { isDamagedTable, type DamagedTableInfo } from '../../src/wire/api.js';
import type { NodeIndex } from '../../src/governance/collaboration.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import type { Tessera } from '../../src/client/tessera.js';

const OWNER = 'St. Mary Hospital';
const SCHEMA = { columns: { n: { type: 'integer', min: 0, max: 100 } } } as const;
const APPEND_SCHEMA = { version: 1, columns: [{ name: 'v', nullable: false, type: 'integer', min: '0', max: '9' }] } as const;

let cluster: TestCluster;
let hospital: Tessera;

before(async () => {
  cluster = await startTestCluster({ tableLimits: { maxTables: 12, maxTablesPerOwner: 9 } });
  hospital = await cluster.connect(OWNER, 0);
});

after(async () => {
  await cluster.close();
});

async function upload(name: string, values: number[] = [1, 2, 3]): Promise<void> {
  await hospital.uploadTable(name, { columns: { n: values } }, SCHEMA);
}

async function countOf(client: Tessera, table: string): Promise<number | bigint> {
  return (await (await client.count({ tables: [table], recipients: [OWNER] })).result()).value!;
}

async function flipByte(node: number, ...path: string[]): Promise<void> {
  const file = join(cluster.dataDirs[node], ...path);
  const bytes = await readFile(file);
  bytes[bytes.length - 20] ^= 0x01;
  await writeFile(file, bytes);
}

async function listedAt(node: number): Promise<{ names: string[]; damaged: DamagedTableInfo[] }> {
  const client = await cluster.connect('Analyst', node);
  const tables = await client.listTables();
  return { names: tables.map((t) => t.name), damaged: tables.filter(isDamagedTable) };
}

async function restart(...nodes: NodeIndex[]): Promise<void> {
  for (const i of nodes) await cluster.startNode(i);
  await cluster.waitForMesh(20_000);
}

/** Refused at submission (damage the coordinator sees), or the job fails naming it (damage a peer finds while computing). */
const namesTableAndNode = (table: string) => (e: unknown) =>
  (e instanceof StorageCorruptionError || (e instanceof QueryFailedError && /is damaged at node 1/.test(e.message))) && e.message.includes(`'${table}'`) && /node 1 \(node-b\)/.test(e.message);

test('a manifest damaged at one node while it runs: other tables work, listing marks it, queries naming it are refused, the owner deletes it', async () => {
  await upload('healthy', [1, 2, 3]);
  await upload('victim', [4, 5]);
  await flipByte(1, 'tables', 'victim', 'manifest');

  assert.equal(await countOf(hospital, 'healthy'), 3); // (a)
  await assert.rejects(countOf(hospital, 'victim'), namesTableAndNode('victim')); // (c)
  const atNode1 = await listedAt(1); // (b)
  assert.deepEqual(atNode1.names, ['healthy', 'victim']);
  assert.deepEqual(atNode1.damaged.map((t) => [t.name, t.kind, t.damaged.file, t.damaged.node]), [['victim', 'table', 'tables/victim/manifest', 'node 1 (node-b)']]);
  assert.equal(atNode1.damaged[0].owner, OWNER, 'authenticated when node 1 opened the table');
  assert.deepEqual((await listedAt(0)).damaged, []);
  // A query over every table would include it: refused, not silently narrowed.
  await assert.rejects(hospital.count({ recipients: [OWNER] }).then((q) => q.wait()), namesTableAndNode('victim'));
  assert.equal(await countOf(await cluster.connect(OWNER, 1), 'healthy'), 3);

  // Only the owner deletes, and the delete completes at all three nodes (d).
  const north = await cluster.connect('Registry North', 0);
  await assert.rejects(north.deleteTable('victim'), (e: unknown) => e instanceof PermissionDeniedError && e.message.includes(OWNER));
  await hospital.deleteTable('victim');
  for (const node of [0, 1, 2]) assert.deepEqual((await listedAt(node)).names, ['healthy']);
  await assert.rejects(hospital.deleteTable('victim'), TableNotFoundError);
  await upload('victim', [7]);
  assert.equal(await countOf(hospital, 'victim'), 1);
});

test('damage found at a restart (manifest, column, append meta and log): confined, reserved, deleted through node 0 at all nodes', async () => {
  await upload('lost_owner', [1]);
  await upload('bad_column', [1, 2]);
  await hospital.createAppendTable('votes_meta', APPEND_SCHEMA);
  await hospital.createAppendTable('votes_log', APPEND_SCHEMA);
  await cluster.stopNode(1);
  await flipByte(1, 'tables', 'lost_owner', 'manifest');
  const columnFile = (await readdir(join(cluster.dataDirs[1], 'tables', 'bad_column'))).find((f) => f.endsWith('.col'))!;
  await flipByte(1, 'tables', 'bad_column', columnFile);
  await flipByte(1, 'appends', 'votes_meta', 'meta');
  await writeFile(join(cluster.dataDirs[1], 'appends', 'votes_log', 'log'), Buffer.from('not a log'));
  await restart(1);

  assert.equal(await countOf(hospital, 'healthy'), 3);
  await assert.rejects(countOf(hospital, 'lost_owner'), namesTableAndNode('lost_owner'));
  // A flipped byte inside a column keeps the file's size: found when the column is read.
  assert.equal(await countOf(hospital, 'bad_column'), 2, 'a count needs no column data: the rows come from the authenticated manifest');
  await assert.rejects(hospital.sum({ column: 'n', tables: ['bad_column'], recipients: [OWNER] }).then((q) => q.wait()), namesTableAndNode('bad_column'));
  const listed = await listedAt(1);
  assert.deepEqual(
    listed.damaged.map((t) => [t.name, t.kind, t.damaged.file, t.owner ?? null]),
    [
      ['bad_column', 'table', `tables/bad_column/${columnFile}`, OWNER],
      ['lost_owner', 'table', 'tables/lost_owner/manifest', null],
      ['votes_log', 'append', 'appends/votes_log/log', OWNER],
      ['votes_meta', 'append', 'appends/votes_meta/meta', null],
    ],
  );
  // The name stays taken: no silent re-creation on top of the damage at node 1.
  await assert.rejects(upload('lost_owner'), (e: unknown) => e instanceof TableExistsError && /damaged/.test(e.message));
  assert.equal((await listedAt(0)).names.includes('lost_owner'), true);

  // The owner's identity comes from the healthy copies at nodes 0 and 2 where node 1 has none.
  const north = await cluster.connect('Registry North', 0);
  await assert.rejects(north.deleteTable('lost_owner'), PermissionDeniedError);
  assert.equal((await listedAt(1)).names.includes('lost_owner'), true);
  for (const table of ['lost_owner', 'bad_column', 'votes_meta', 'votes_log']) await hospital.deleteTable(table);
  for (const node of [0, 1, 2]) assert.deepEqual((await listedAt(node)).names, ['healthy', 'victim']);
});

test('a delete repeated after a partial one completes where the table is still present; TABLE_NOT_FOUND only when no node has it', async () => {
  await upload('partial', [1, 2]);
  await upload('orphan', [1]);
  // As a delete interrupted part-way leaves it: gone at node 0, damaged at node 1, intact at node 2;
  // and a damaged copy at node 1 of a table the other nodes deleted.
  await cluster.stopNode(0);
  await cluster.stopNode(1);
  await cluster.stopNode(2);
  await rm(join(cluster.dataDirs[0], 'tables', 'partial'), { recursive: true });
  await flipByte(1, 'tables', 'partial', 'manifest');
  await flipByte(1, 'tables', 'orphan', 'manifest');
  await rm(join(cluster.dataDirs[0], 'tables', 'orphan'), { recursive: true });
  await rm(join(cluster.dataDirs[2], 'tables', 'orphan'), { recursive: true });
  await restart(0, 1, 2);
  hospital = await cluster.connect(OWNER, 0);

  await hospital.deleteTable('partial'); // through node 0, which no longer has it
  for (const node of [0, 1, 2]) assert.equal((await listedAt(node)).names.includes('partial'), false, `node ${node}`);
  await assert.rejects(hospital.deleteTable('partial'), TableNotFoundError);

  // Nobody holds an intact record of the orphan's owner: refused with the reason, not guessed.
  await assert.rejects(hospital.deleteTable('orphan'), (e: unknown) => e instanceof PermissionDeniedError && /no node holds an intact record of its owner/.test(e.message) && /operator/.test(e.message));
});

test('table bound: a node refuses one table too many (per owner, per node) with a clear error naming the setting', async () => {
  // Here node 0 holds 2 tables (both the hospital's), node 1 also the orphan: 3 of at most 12.
  const north = await cluster.connect('Registry North', 0);
  for (let i = 0; i < 9; i++) await north.uploadTable(`fill_${i}`, { columns: { n: [1] } }, SCHEMA);
  await assert.rejects(north.uploadTable('one_more', { columns: { n: [1] } }, SCHEMA), (e: unknown) => e instanceof TableLimitError && /'Registry North' already owns 9 tables/.test(e.message) && /maxTablesPerOwner = 9/.test(e.message));
  await assert.rejects(hospital.createAppendTable('one_more', APPEND_SCHEMA), (e: unknown) => e instanceof TableLimitError && /node 1 \(node-b\) already holds 12 tables/.test(e.message) && /maxTables = 12/.test(e.message));
  assert.equal((await listedAt(0)).names.includes('one_more'), false, 'refused at one node: created at none');
  await north.deleteTable('fill_0');
  await north.uploadTable('one_more', { columns: { n: [1] } }, SCHEMA);
});
