import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  InvalidNameError,
  StorageCorruptionError,
  StorageKeyError,
  TableExistsError,
  TableNotFoundError,
  UsageError,
} from '../../src/errors.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { allBytes, listFiles, openStore, sampleTable } from '../helpers/store.js';
import { listingName } from '../../src/node/storage.js';

test('table store: stage is invisible until commit; round trip after commit', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    const input = sampleTable('patients', 50);
    const staged = await store.stageTable(input);
    assert.deepEqual(await store.listTables(), []);
    assert.equal((await store.listStaged())[0].stageId, staged.stageId);
    await assert.rejects(store.readTable('patients'), TableNotFoundError);

    const meta = await store.commitTable(staged.stageId);
    assert.deepEqual(meta, staged.metadata);
    assert.equal(meta.rowCount, 50);
    assert.equal(meta.owner, 'St. Mary Hospital');
    assert.match(meta.checksum, /^[0-9a-f]{64}$/);
    assert.deepEqual(meta.columns, [{ name: 'age', bytes: 800 }, { name: 'bmi', bytes: 800 }]);
    assert.deepEqual(await store.listStaged(), []);

    const listed = await store.listTables();
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0], { kind: 'table', metadata: meta });
    const read = await store.readTable('patients');
    assert.deepEqual(read.metadata.schema, input.schema);
    for (const [i, c] of read.columns.entries()) assert.ok(Buffer.from(c.data).equals(input.columns[i].data));
    assert.ok(Buffer.from(await store.readColumn('patients', 'bmi')).equals(input.columns[1].data));
    const chunks: Uint8Array[] = [];
    await store.readColumnChunks('patients', 'bmi', (chunk) => chunks.push(Uint8Array.from(chunk)));
    assert.ok(Buffer.concat(chunks).equals(input.columns[1].data));
    await assert.rejects(store.readColumn('patients', 'nope'), TableNotFoundError);
    await assert.rejects(store.commitTable(staged.stageId), TableNotFoundError);
    await store.close();
  }));

test('table store: abort drops a staged table and frees its name', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    const staged = await store.stageTable(sampleTable('t'));
    await store.abortTable(staged.stageId);
    assert.deepEqual(await store.listStaged(), []);
    assert.deepEqual(await listFiles(join(dir, 'staging')), []);
    await store.commitTable((await store.stageTable(sampleTable('t'))).stageId);
    await assert.rejects(store.abortTable('t.0000000000000000'), TableNotFoundError);
  }));

test('table store: duplicate names are refused with a clear error', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    const first = await store.stageTable(sampleTable('dup'));
    await assert.rejects(store.stageTable(sampleTable('dup')), (e: unknown) => e instanceof TableExistsError && /being staged/.test(e.message));
    await store.commitTable(first.stageId);
    await assert.rejects(store.stageTable(sampleTable('dup')), (e: unknown) => e instanceof TableExistsError && /already exists/.test(e.message));
    await assert.rejects(store.createAppendTable({ name: 'dup', schema: {}, owner: 'x' }), TableExistsError);
    await store.createAppendTable({ name: 'votes', schema: {}, owner: 'x' });
    await assert.rejects(store.stageTable(sampleTable('votes')), TableExistsError);
    // Concurrent stagings of one name: exactly one wins.
    const results = await Promise.allSettled([store.stageTable(sampleTable('race')), store.stageTable(sampleTable('race'))]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  }));

test('table store: creating an append table again is idempotent only while it is identical and empty', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    const first = await store.createAppendTable({ name: 'votes', schema: { v: 'int' }, owner: 'study' });
    assert.equal(first.created, true);
    await assert.rejects(store.createAppendTable({ name: 'votes', schema: { v: 'int' }, owner: 'study' }), TableExistsError); // not asked to reuse
    const again = await store.createAppendTable({ name: 'votes', schema: { v: 'int' }, owner: 'study' }, { reuseEmpty: true });
    assert.deepEqual(again, { ...first, created: false }); // the same table, creation time included
    await assert.rejects(store.createAppendTable({ name: 'votes', schema: { v: 'int' }, owner: 'other' }, { reuseEmpty: true }), /owned by study/);
    await assert.rejects(store.createAppendTable({ name: 'votes', schema: { w: 'int' }, owner: 'study' }, { reuseEmpty: true }), /different schema/);
    await (await store.appendTable('votes')).append('patient-1', Buffer.from('x'));
    await assert.rejects(store.createAppendTable({ name: 'votes', schema: { v: 'int' }, owner: 'study' }, { reuseEmpty: true }), /with 1 rows/);
    assert.equal((await store.appendTable('votes')).rowCount, 1); // nothing lost
  }));

test('table store: names are validated (no path traversal)', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    for (const name of ['', '.', '..', '../x', 'a/b', 'a\\b', 'a.b', '-x', 'x'.repeat(129), 'näme', 'a b']) {
      await assert.rejects(store.stageTable(sampleTable(name)), InvalidNameError, name);
      await assert.rejects(store.readTable(name), InvalidNameError, name);
    }
    await assert.rejects(store.stageTable({ ...sampleTable('x'), columns: [] }), UsageError);
    const t = sampleTable('x');
    await assert.rejects(store.stageTable({ ...t, columns: [t.columns[0], t.columns[0]] }), UsageError);
    await assert.rejects(store.stageTable({ ...t, rowCount: -1 }), UsageError);
  }));

test('table store: restart keeps committed and staged tables; wrong secret refused', () =>
  withTempDir(async (dir) => {
    let store = await openStore(dir);
    const input = sampleTable('kept');
    await store.commitTable((await store.stageTable(input)).stageId);
    const pending = await store.stageTable(sampleTable('pending'));
    await store.close();

    await assert.rejects(openStore(dir, Buffer.alloc(32, 8)), StorageKeyError);
    await assert.rejects(openStore(dir, Buffer.alloc(16, 7)), UsageError);

    store = await openStore(dir);
    assert.ok(Buffer.from((await store.readTable('kept')).columns[0].data).equals(input.columns[0].data));
    assert.deepEqual((await store.listStaged()).map((s) => s.stageId), [pending.stageId]);
    await store.commitTable(pending.stageId);
    assert.deepEqual((await store.listTables()).map(listingName), ['kept', 'pending']);
  }));

test('table store: delete removes a table and frees its name', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    await store.commitTable((await store.stageTable(sampleTable('gone'))).stageId);
    await store.deleteTable('gone');
    assert.deepEqual(await store.listTables(), []);
    await assert.rejects(store.deleteTable('gone'), TableNotFoundError);
    await store.commitTable((await store.stageTable(sampleTable('gone'))).stageId);
    assert.deepEqual(await listFiles(join(dir, 'trash')), []);
  }));

test('table store: flipping any byte of any file is detected and names the file (property)', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    await store.commitTable((await store.stageTable(sampleTable('victim', 4))).stageId);
    const files = await listFiles(join(dir, 'tables', 'victim'));
    assert.deepEqual(files, ['c0000.col', 'c0001.col', 'manifest']);
    for (const file of files) {
      const path = join(dir, 'tables', 'victim', file);
      const original = await readFile(path);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: original.byteLength - 1 }), fc.integer({ min: 1, max: 255 }), async (index, mask) => {
          const tampered = Buffer.from(original);
          tampered[index] ^= mask;
          await writeFile(path, tampered);
          // Damage is found at open (manifest, column sizes) or at the read (column contents);
          // once found, the table stays damaged in that process, so every case gets a fresh open.
          const reopened = await openStore(dir);
          await assert.rejects(reopened.readTable('victim'), (e: unknown) => {
            return e instanceof StorageCorruptionError && e.table === 'victim' && e.file === `tables/victim/${file}` && e.message.includes(file);
          });
          await reopened.close();
        }),
        { numRuns: 25 },
      );
      await writeFile(path, original);
    }
    await (await openStore(dir)).readTable('victim');
    await store.readTable('victim');
  }));

test('table store: a corrupted manifest is listed as damaged, other tables stay usable; files cannot be swapped between tables', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    await store.commitTable((await store.stageTable(sampleTable('a'))).stageId);
    await store.commitTable((await store.stageTable(sampleTable('b'))).stageId);
    await copyFile(join(dir, 'tables', 'a', 'c0000.col'), join(dir, 'tables', 'b', 'c0000.col'));
    await assert.rejects(store.readColumn('b', 'age'), StorageCorruptionError);
    await copyFile(join(dir, 'tables', 'a', 'manifest'), join(dir, 'tables', 'b', 'manifest'));
    const reopened = await openStore(dir);
    const listed = await reopened.listTables();
    assert.deepEqual(listed.map((t) => [listingName(t), t.kind]), [['a', 'table'], ['b', 'damaged']]);
    assert.ok(listed[1].kind === 'damaged' && listed[1].damage.file === 'tables/b/manifest' && listed[1].damage.owner === undefined);
    await assert.rejects(reopened.readColumn('b', 'age'), (e: unknown) => e instanceof StorageCorruptionError && e.file === 'tables/b/manifest');
    assert.equal((await reopened.readTable('a')).columns.length, 2);
    await writeFile(join(dir, 'tables', 'a', 'c0001.col'), Buffer.alloc(0));
    await assert.rejects(reopened.readColumn('a', 'bmi'), StorageCorruptionError);
  }));

test('table store: crash leftovers are cleaned on open and never half-visible', () =>
  withTempDir(async (dir) => {
    let store = await openStore(dir);
    const committed = sampleTable('ok');
    await store.commitTable((await store.stageTable(committed)).stageId);
    const complete = await store.stageTable(sampleTable('complete'));
    await store.close();
    // A crash while staging: a column written, no manifest yet, and a temp file half written.
    await mkdir(join(dir, 'staging', 'half.0123456789abcdef'));
    await writeFile(join(dir, 'staging', 'half.0123456789abcdef', 'c0000.col'), 'partial');
    await writeFile(join(dir, 'staging', complete.stageId, 'manifest.tmp-abcdef'), 'x');
    // A crash while writing a temp file next to committed data, while deleting, and while creating an append table.
    await writeFile(join(dir, 'tables', 'ok', 'c0000.col.tmp-123456'), 'x');
    await mkdir(join(dir, 'trash', 'deadbeef'), { recursive: true });
    await mkdir(join(dir, 'appends', 'votes.tmp-aaaaaa'));
    await writeFile(join(dir, 'store.json.tmp-bbbbbb'), '{');

    store = await openStore(dir);
    assert.deepEqual((await store.listStaged()).map((s) => s.stageId), [complete.stageId]);
    assert.deepEqual((await store.listTables()).map(listingName), ['ok']);
    const files = await listFiles(dir);
    assert.ok(files.every((f) => !f.includes('.tmp-')), files.join());
    assert.ok(!files.some((f) => f.startsWith('staging/half')));
    assert.deepEqual(await listFiles(join(dir, 'trash')), []);
    assert.ok(Buffer.from((await store.readTable('ok')).columns[1].data).equals(committed.columns[1].data));
    await store.commitTable(complete.stageId);
  }));

test('table store: the data directory never contains plaintext values', () =>
  withTempDir(async (dir) => {
    const marker = Buffer.from('PLAINTEXT-MARKER-4242');
    const store = await openStore(dir);
    const t = sampleTable('secret', 4);
    const data = Buffer.concat([Buffer.alloc(7), marker, Buffer.alloc(36)]);
    await store.commitTable((await store.stageTable({ ...t, columns: [{ name: 'c', data }] })).stageId);
    await store.stageTable({ ...t, name: 'staged', columns: [{ name: 'c', data }] });
    await store.createAppendTable({ name: 'votes', schema: {}, owner: 'o' });
    const log = await store.appendTable('votes');
    await log.append('PLAINTEXT-MARKER-ID', marker);
    await log.append('someone', Buffer.concat([marker, marker]));
    await store.close();
    const blobs = await allBytes(dir);
    assert.equal(blobs.length, 7);
    for (const blob of blobs) {
      assert.equal(blob.indexOf(marker), -1);
      assert.equal(blob.indexOf('PLAINTEXT-MARKER'), -1);
    }
    const reopened = await openStore(dir);
    assert.equal(Buffer.from(await reopened.readColumn('secret', 'c')).indexOf(marker), 7);
    await reopened.close();
  }));
