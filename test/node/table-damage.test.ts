/**
 * A damaged file confines the damage to its own table: listed as damaged (file and reason),
 * refused on every use with a reason naming the table and the node, its name kept, deletable;
 * every other table keeps working. Also the bound on the number of tables.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageCorruptionError, TableExistsError, TableLimitError, UsageError } from '../../src/errors.js';
import { TableStore, listingName, type TableListing } from '../../src/node/storage.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { SECRET, openStore, sampleTable } from '../helpers/store.js';

const NODE = 'node 1 (test-node)';

function openNamed(dir: string, limits?: { maxTables?: number; maxTablesPerOwner?: number }): Promise<TableStore> {
  return TableStore.open({ dataDir: dir, nodeSecret: SECRET, node: NODE, ...(limits ? { limits } : {}) });
}

async function flipByte(path: string, at: (length: number) => number): Promise<void> {
  const bytes = await readFile(path);
  bytes[at(bytes.length)] ^= 0x01;
  await writeFile(path, bytes);
}

function damagedEntry(listed: readonly TableListing[], name: string): Extract<TableListing, { kind: 'damaged' }> {
  const entry = listed.find((t) => listingName(t) === name);
  assert.ok(entry && entry.kind === 'damaged', `${name} should be listed as damaged: ${JSON.stringify(entry)}`);
  return entry;
}

const namesNode = (name: string, file: string) => (e: unknown) =>
  e instanceof StorageCorruptionError && e.table === name && e.file === file && e.message.includes(NODE) && e.message.includes(`'${name}'`);

test('damage: a damaged manifest found at open leaves other tables working; the name stays taken until deleted', () =>
  withTempDir(async (dir) => {
    let store = await openStore(dir);
    await store.commitTable((await store.stageTable(sampleTable('healthy'))).stageId);
    await store.commitTable((await store.stageTable(sampleTable('victim'))).stageId);
    await store.close();
    await flipByte(join(dir, 'tables', 'victim', 'manifest'), (n) => n - 5);

    store = await openNamed(dir);
    const listed = await store.listTables();
    assert.deepEqual(listed.map(listingName), ['healthy', 'victim']);
    const victim = damagedEntry(listed, 'victim');
    assert.equal(victim.damage.file, 'tables/victim/manifest');
    assert.match(victim.damage.reason, /authentication/);
    assert.equal(victim.damage.owner, undefined, 'the owner is only in the damaged manifest');
    assert.equal(store.tableCount, 2);

    assert.equal((await store.readTable('healthy')).columns.length, 2);
    await assert.rejects(store.readColumn('victim', 'age'), namesNode('victim', 'tables/victim/manifest'));
    await assert.rejects(store.tableMetadata('victim'), namesNode('victim', 'tables/victim/manifest'));
    await assert.rejects(store.stageTable(sampleTable('victim')), (e: unknown) => e instanceof TableExistsError && /damaged/.test(e.message));
    await assert.rejects(store.createAppendTable({ name: 'victim', schema: {}, owner: 'x' }, { reuseEmpty: true }), TableExistsError);

    await store.deleteTable('victim');
    assert.deepEqual((await store.listTables()).map(listingName), ['healthy']);
    await store.commitTable((await store.stageTable(sampleTable('victim'))).stageId);
    assert.equal((await store.readTable('victim')).columns.length, 2);
  }));

test('damage: a damaged column file is found at the first read; from then on the table is listed as damaged, with its owner', () =>
  withTempDir(async (dir) => {
    const store = await openNamed(dir);
    await store.commitTable((await store.stageTable(sampleTable('healthy'))).stageId);
    await store.commitTable((await store.stageTable(sampleTable('victim'))).stageId);
    await flipByte(join(dir, 'tables', 'victim', 'c0001.col'), (n) => n - 20);

    assert.equal((await store.listTables()).every((t) => t.kind === 'table'), true, 'not read yet: not known yet');
    // Read chunk by chunk (as a scan reads), the damage is found all the same, after the chunks.
    const taken: Uint8Array[] = [];
    await assert.rejects(store.readColumnChunks('victim', 'bmi', (chunk) => taken.push(chunk)), namesNode('victim', 'tables/victim/c0001.col'));
    await assert.rejects(store.readColumn('victim', 'bmi'), namesNode('victim', 'tables/victim/c0001.col'));
    const victim = damagedEntry(await store.listTables(), 'victim');
    assert.equal(victim.damage.file, 'tables/victim/c0001.col');
    assert.equal(victim.damage.owner, 'St. Mary Hospital');
    // Even the intact column is not used any more: the table is damaged as a whole.
    await assert.rejects(store.readColumn('victim', 'age'), namesNode('victim', 'tables/victim/c0001.col'));
    assert.equal((await store.readTable('healthy')).columns.length, 2);

    // A column file of the wrong size is found at open already.
    await store.close();
    await writeFile(join(dir, 'tables', 'healthy', 'c0000.col'), Buffer.alloc(10));
    const reopened = await openNamed(dir);
    const healthy = damagedEntry(await reopened.listTables(), 'healthy');
    assert.equal(healthy.damage.file, 'tables/healthy/c0000.col');
    assert.match(healthy.damage.reason, /10 bytes/);
  }));

test('damage: a manifest damaged while the node runs is found at the next read of that table', () =>
  withTempDir(async (dir) => {
    const store = await openNamed(dir);
    await store.commitTable((await store.stageTable(sampleTable('healthy'))).stageId);
    await store.commitTable((await store.stageTable(sampleTable('victim'))).stageId);
    await flipByte(join(dir, 'tables', 'victim', 'manifest'), (n) => n - 5);
    assert.equal((await store.readTable('healthy')).columns.length, 2);
    await assert.rejects(store.readTable('victim'), namesNode('victim', 'tables/victim/manifest'));
    const victim = damagedEntry(await store.listTables(), 'victim');
    assert.equal(victim.damage.owner, 'St. Mary Hospital', 'the owner was authenticated when the node opened the table');
  }));

test('damage: append tables with a damaged meta file or log are listed as damaged; the others keep taking rows', () =>
  withTempDir(async (dir) => {
    let store = await openStore(dir);
    for (const name of ['good', 'badmeta', 'badlog', 'badrecord']) {
      await store.createAppendTable({ name, schema: { columns: [] }, owner: 'study' });
      const log = await store.appendTable(name);
      await log.append('alice', Buffer.from('1'));
      await log.append('bob', Buffer.from('2'));
    }
    await store.close();
    await flipByte(join(dir, 'appends', 'badmeta', 'meta'), (n) => n - 3);
    await flipByte(join(dir, 'appends', 'badlog', 'log'), () => 10); // inside the header (its uid)
    await flipByte(join(dir, 'appends', 'badrecord', 'log'), () => 50); // inside the first record

    store = await openNamed(dir);
    let listed = await store.listTables();
    assert.deepEqual(listed.map((t) => [listingName(t), t.kind]), [['badlog', 'damaged'], ['badmeta', 'damaged'], ['badrecord', 'append'], ['good', 'append']]);
    assert.deepEqual({ ...damagedEntry(listed, 'badmeta').damage }, { kind: 'append', file: 'appends/badmeta/meta', reason: 'authentication tag mismatch' });
    assert.equal(damagedEntry(listed, 'badlog').damage.owner, 'study');
    await assert.rejects(store.appendTable('badmeta'), namesNode('badmeta', 'appends/badmeta/meta'));
    await assert.rejects(store.appendTableMetadata('badlog'), namesNode('badlog', 'appends/badlog/log'));
    // A damaged record is found when the log is opened (every record is checked then).
    await assert.rejects(store.appendTable('badrecord'), namesNode('badrecord', 'appends/badrecord/log'));
    listed = await store.listTables();
    assert.equal(damagedEntry(listed, 'badrecord').damage.owner, 'study');

    const good = await store.appendTable('good');
    await good.append('carol', Buffer.from('3'));
    assert.equal(good.rowCount, 3);
    for (const name of ['badmeta', 'badlog', 'badrecord']) await store.deleteTable(name);
    assert.deepEqual((await store.listTables()).map(listingName), ['good']);
    await store.close();
  }));

test('damage: a staged table with a damaged manifest can be aborted, or committed as a damaged table', () =>
  withTempDir(async (dir) => {
    let store = await openStore(dir);
    const one = await store.stageTable(sampleTable('one'));
    const two = await store.stageTable(sampleTable('two'));
    await store.close();
    await flipByte(join(dir, 'staging', one.stageId, 'manifest'), (n) => n - 5);
    await flipByte(join(dir, 'staging', two.stageId, 'manifest'), (n) => n - 5);

    store = await openNamed(dir);
    const staged = store.listStaged();
    assert.deepEqual(staged.map((s) => ('damage' in s ? [s.name, s.damage.file] : [s.metadata.name, 'ok'])), [
      ['one', `staging/${one.stageId}/manifest`],
      ['two', `staging/${two.stageId}/manifest`],
    ]);
    await assert.rejects(store.stageTable(sampleTable('one')), TableExistsError);
    await store.abortTable(one.stageId);
    await assert.rejects(store.commitTable(two.stageId), namesNode('two', 'tables/two/manifest'));
    assert.deepEqual((await store.listTables()).map((t) => [listingName(t), t.kind]), [['two', 'damaged']]);
    assert.deepEqual(store.listStaged(), []);
    await store.commitTable((await store.stageTable(sampleTable('one'))).stageId);
    await store.deleteTable('two');
    assert.deepEqual((await store.listTables()).map(listingName), ['one']);
  }));

test('table bound: a node keeps at most maxTables tables and one owner at most maxTablesPerOwner, counting staged and damaged ones', () =>
  withTempDir(async (dir) => {
    const store = await openNamed(dir, { maxTables: 4, maxTablesPerOwner: 2 });
    const owned = (name: string, owner: string) => ({ ...sampleTable(name, 1), owner });
    await store.commitTable((await store.stageTable(owned('a1', 'A'))).stageId);
    await store.stageTable(owned('a2', 'A')); // staged, not committed: counts as well
    await assert.rejects(store.stageTable(owned('a3', 'A')), (e: unknown) => e instanceof TableLimitError && /'A' already owns 2 tables at node 1/.test(e.message) && /maxTablesPerOwner = 2/.test(e.message));
    await assert.rejects(store.createAppendTable({ name: 'a3', schema: {}, owner: 'A' }), TableLimitError);
    await store.createAppendTable({ name: 'b1', schema: {}, owner: 'B' });
    await store.commitTable((await store.stageTable(owned('c1', 'C'))).stageId);
    await assert.rejects(store.stageTable(owned('d1', 'D')), (e: unknown) => e instanceof TableLimitError && /already holds 4 tables/.test(e.message) && /maxTables = 4/.test(e.message));
    await store.deleteTable('a1');
    await store.commitTable((await store.stageTable(owned('d1', 'D'))).stageId);
    assert.equal(store.tableCount, 3);
    await assert.rejects(openNamed(dir, { maxTables: 0 }), UsageError);
  }));

test('damage: a table and an append table under one name (never written by the store) are one damaged name until deleted twice', () =>
  withTempDir(async (dir) => {
    let store = await openStore(dir);
    await store.commitTable((await store.stageTable(sampleTable('twice'))).stageId);
    await store.createAppendTable({ name: 'other', schema: {}, owner: 'study' });
    await store.close();
    await rename(join(dir, 'appends', 'other'), join(dir, 'appends', 'twice'));
    store = await openNamed(dir);
    assert.deepEqual((await store.listTables()).map((t) => [listingName(t), t.kind]), [['twice', 'damaged']]);
    await assert.rejects(store.readTable('twice'), namesNode('twice', 'appends/twice')); // not usable as either
    await store.deleteTable('twice');
    assert.deepEqual((await store.listTables()).map((t) => [listingName(t), t.kind]), [['twice', 'table']]);
    await store.deleteTable('twice');
    assert.deepEqual(await store.listTables(), []);
  }));
