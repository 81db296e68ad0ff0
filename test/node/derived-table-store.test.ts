/**
 * The table store's part of derived tables: the lineage is kept in the manifest and survives a
 * reopen; a replacing table stages over a derived table of the same owner only and takes its place
 * on commit; a commit never leaves a moment where the name is neither staged nor listed (a reader
 * then found no table right after the query said done).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableExistsError } from '../../src/errors.js';
import type { TableLineage } from '../../src/node/storage/lineage.js';
import { openStore, sampleTable } from '../helpers/store.js';
import { withTempDir } from '../helpers/temp-dir.js';

const lineage = (query: string, replaced = false): TableLineage => ({ query, plan: 'ab'.repeat(32), inputs: ['visits'], createdBy: 'Analyst', createdAt: '2026-12-05T00:00:00.000Z', replaced });
const derived = (name: string, query: string, replaced = false, owner = 'Analyst') => ({ ...sampleTable(name, 3), owner, lineage: lineage(query, replaced) });

test('a derived table keeps its lineage across a reopen, and is found by its query while staged', async () => {
  await withTempDir(async (dir) => {
    const store = await openStore(dir);
    const staged = await store.stageTable(derived('adults', 'q-000000000000000000000001'));
    assert.deepEqual(store.stagedDerived(), [{ stageId: staged.stageId, name: 'adults', query: 'q-000000000000000000000001' }]);
    await store.stageTable(sampleTable('upload'));
    assert.equal(store.stagedDerived().length, 1, 'an upload is not derived');
    await store.close();
    const reopened = await openStore(dir);
    assert.deepEqual(reopened.stagedDerived().map((s) => s.name), ['adults'], 'a staged derived table survives a restart');
    await reopened.commitTable(staged.stageId);
    const listing = await reopened.describeTable('adults');
    assert.ok(listing.kind === 'table');
    assert.deepEqual(listing.metadata.lineage, lineage('q-000000000000000000000001'));
    await reopened.close();
    const again = await openStore(dir);
    const back = await again.describeTable('adults');
    assert.ok(back.kind === 'table');
    assert.deepEqual(back.metadata.lineage, lineage('q-000000000000000000000001'));
  });
});

test('a replacing table stages over a derived table of its owner only, and replaces it on commit', async () => {
  await withTempDir(async (dir) => {
    const store = await openStore(dir);
    await store.commitTable((await store.stageTable(derived('mine', 'q-000000000000000000000001'))).stageId);
    await store.commitTable((await store.stageTable(sampleTable('uploaded'))).stageId);
    await assert.rejects(store.stageTable(derived('mine', 'q-000000000000000000000002')), TableExistsError, 'without replace the name is taken');
    await assert.rejects(store.stageTable(derived('mine', 'q-000000000000000000000002', true, 'Someone Else')), TableExistsError, "another analyst's table");
    await assert.rejects(store.stageTable({ ...derived('uploaded', 'q-000000000000000000000002', true), owner: 'St. Mary Hospital' }), TableExistsError, 'an uploaded table');
    const next = await store.stageTable(derived('mine', 'q-000000000000000000000003', true));
    assert.equal((await store.describeTable('mine')).kind, 'table', 'the old one is used until the new one commits');
    await assert.rejects(store.stageTable(derived('mine', 'q-000000000000000000000004', true)), /already being staged/);
    await store.commitTable(next.stageId);
    const now = await store.describeTable('mine');
    assert.ok(now.kind === 'table');
    assert.equal(now.metadata.lineage?.query, 'q-000000000000000000000003');
    assert.equal(store.tableCount, 2);
  });
});

test('while a table commits, the name is always either staged or listed', async () => {
  await withTempDir(async (dir) => {
    const store = await openStore(dir);
    for (let k = 0; k < 5; k++) {
      const name = `t${k}`;
      const staged = await store.stageTable(derived(name, `q-00000000000000000000000${k}`));
      let done = false;
      const committing = store.commitTable(staged.stageId).finally(() => (done = true));
      let gaps = 0;
      while (!done) {
        const isStaged = store.stagedDerived().some((s) => s.name === name);
        const isListed = await store.describeTable(name).then(() => true, () => false);
        if (!isStaged && !isListed) gaps++;
        await new Promise((r) => setImmediate(r));
      }
      await committing;
      assert.equal(gaps, 0, `table ${name} was neither staged nor listed while it committed`);
    }
  });
});
