import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { appendFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuplicateContributorError, StorageCorruptionError, TableNotFoundError, UsageError } from '../../src/errors.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { fileSize, openStore } from '../helpers/store.js';
import { listingName } from '../../src/node/storage.js';

const value = (i: number) => Buffer.from(`value-${i}`.padEnd(64, '.'));

async function filled(dir: string, count: number) {
  const store = await openStore(dir);
  await store.createAppendTable({ name: 'votes', schema: { value: 'int' }, owner: 'study' });
  const log = await store.appendTable('votes');
  await Promise.all(Array.from({ length: count }, (_, i) => log.append(`patient-${String(i).padStart(4, '0')}`, value(i))));
  await store.close();
  return join(dir, 'appends', 'votes', 'log');
}

test('append table: concurrent appends are all durable and read back in contributor-id order', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    const meta = await store.createAppendTable({ name: 'votes', schema: { value: 'int' }, owner: 'study' });
    assert.equal(meta.name, 'votes');
    const log = await store.appendTable('votes');
    const ids = Array.from({ length: 500 }, (_, i) => `p${(i * 7919) % 500}`);
    await Promise.all(ids.map((id) => log.append(id, Buffer.from(id))));
    assert.equal(log.rowCount, 500);
    assert.ok(log.syncCount < 100, `group commit should share fsyncs (${log.syncCount} for 500 appends)`);
    const rows = await log.readAll();
    const sorted = [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(rows.map((r) => r.contributorId), sorted);
    for (const r of rows) assert.equal(Buffer.from(r.value).toString(), r.contributorId);
    await store.close();

    const again = await openStore(dir);
    assert.deepEqual((await again.listTables()).map((t) => [t.kind, listingName(t), t.kind === 'append' ? t.rowCount : -1]), [['append', 'votes', 500]]);
    const reopened = await again.appendTable('votes');
    assert.equal(reopened.recovery.truncatedBytes, 0);
    assert.equal((await reopened.readAll()).length, 500);
    await again.close();
  }));

test('append table: a second row from the same contributor is refused, also while in flight and after restart', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    await store.createAppendTable({ name: 'votes', schema: {}, owner: 'study' });
    const log = await store.appendTable('votes');
    const [first, second] = await Promise.allSettled([log.append('alice', value(1)), log.append('alice', value(2))]);
    assert.equal(first.status, 'fulfilled');
    assert.ok(second.status === 'rejected' && second.reason instanceof DuplicateContributorError);
    assert.ok(!(second.status === 'rejected' && String(second.reason.message).includes('alice')), 'error must not name the contributor');
    await store.close();
    const again = await openStore(dir);
    await assert.rejects((await again.appendTable('votes')).append('alice', value(3)), DuplicateContributorError);
    assert.deepEqual((await (await again.appendTable('votes')).readAll()).map((r) => Buffer.from(r.value).toString()), [value(1).toString()]);
    await again.close();
  }));

test('append table: arguments are checked; unknown tables reported', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    await store.createAppendTable({ name: 'votes', schema: {}, owner: 'study' });
    const log = await store.appendTable('votes');
    await assert.rejects(log.append('', value(1)), UsageError);
    await assert.rejects(log.append('x'.repeat(257), value(1)), UsageError);
    await assert.rejects(log.append('big', new Uint8Array((1 << 20) + 1)), UsageError);
    await log.append('empty-value', new Uint8Array(0));
    await assert.rejects(store.appendTable('nope'), TableNotFoundError);
    await store.deleteTable('votes');
    await assert.rejects(log.append('late', value(1)), UsageError);
    assert.deepEqual(await store.listTables(), []);
    await store.close();
  }));

test('append table: a torn final record is truncated on open and appends continue (property over cut points)', () =>
  withTempDir(async (dir) => {
    const path = await filled(dir, 20);
    const clean = await readFile(path);
    const lastRecordStart = clean.byteLength - (8 + 12 + 2 + 12 + 64 + 16); // 'patient-0019' + 64-byte value
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: lastRecordStart + 1, max: clean.byteLength - 1 }), async (cut) => {
        await writeFile(path, clean.subarray(0, cut));
        const store = await openStore(dir);
        const log = await store.appendTable('votes');
        assert.equal(log.rowCount, 19);
        assert.equal(log.recovery.truncatedBytes, cut - lastRecordStart);
        assert.equal(await fileSize(path), lastRecordStart);
        await log.append('patient-0019', value(19));
        await log.append('late', value(99));
        assert.equal((await log.readAll()).length, 21);
        await store.close();
      }),
      { numRuns: 15 },
    );
  }));

test('append table: zero-filled tails (file extended before data landed) count as torn', () =>
  withTempDir(async (dir) => {
    const path = await filled(dir, 5);
    const clean = await readFile(path);
    // Whole record region zeroed (header too), then: body zeroed from the middle on.
    await appendFile(path, Buffer.alloc(120));
    let store = await openStore(dir);
    assert.equal((await store.appendTable('votes')).rowCount, 5);
    await store.close();
    const lastStart = clean.byteLength - 114;
    const zeroTail = Buffer.from(clean);
    zeroTail.fill(0, lastStart + 40);
    await writeFile(path, zeroTail);
    store = await openStore(dir);
    assert.equal((await store.appendTable('votes')).rowCount, 4);
    await store.close();
  }));

test('append table: a corrupted middle record, a damaged last record or a removed record is reported', () =>
  withTempDir(async (dir) => {
    const path = await filled(dir, 10);
    const clean = await readFile(path);
    const recordBytes = 114;
    const check = async (bytes: Buffer, what: string) => {
      await writeFile(path, bytes);
      const store = await openStore(dir);
      await assert.rejects(store.appendTable('votes'), (e: unknown) => e instanceof StorageCorruptionError && e.file === 'appends/votes/log' && e.table === 'votes', what);
      await store.close();
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: clean.byteLength - recordBytes - 1 }), fc.integer({ min: 1, max: 255 }), async (index, mask) => {
        const bytes = Buffer.from(clean);
        bytes[index] ^= mask;
        await check(bytes, `flip at ${index}`);
      }),
      { numRuns: 40 },
    );
    for (let index = 0; index < 32 + 8; index++) {
      const bytes = Buffer.from(clean);
      bytes[index] ^= 0x01;
      await check(bytes, `flip at ${index} (file header and first record header)`);
    }
    const lastTag = Buffer.from(clean);
    lastTag[lastTag.byteLength - 3] ^= 0x10;
    await check(lastTag, 'damaged tag of the last record');
    const start = 32 + 3 * recordBytes;
    await check(Buffer.concat([clean.subarray(0, start), clean.subarray(start + recordBytes)]), 'record removed');
    const swapped = Buffer.concat([clean.subarray(0, 32), clean.subarray(32 + recordBytes, 32 + 2 * recordBytes), clean.subarray(32, 32 + recordBytes), clean.subarray(32 + 2 * recordBytes)]);
    await check(swapped, 'records swapped');
    await writeFile(path, clean);
    const store = await openStore(dir);
    assert.equal((await store.appendTable('votes')).rowCount, 10);
    await store.close();
  }));

test('append table: listing counts rows without opening, also with a torn tail', () =>
  withTempDir(async (dir) => {
    const path = await filled(dir, 7);
    await truncate(path, (await fileSize(path)) - 5);
    const store = await openStore(dir);
    const [summary] = await store.listTables();
    assert.ok(summary.kind === 'append' && summary.rowCount === 6);
    assert.equal((await store.appendTableMetadata('votes')).owner, 'study');
    await store.close();
  }));

test('append table: contributor order is UTF-8 byte order, also for characters beyond the BMP', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    await store.createAppendTable({ name: 'votes', schema: {}, owner: 'study' });
    const log = await store.appendTable('votes');
    const ids = ['\u{1F600}', '\uFF01', 'é', 'b', 'a', 'B', 'a0'];
    for (const id of ids) await log.append(id, Buffer.from(id));
    const expected = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual(expected, ['B', 'a', 'a0', 'b', 'é', '\uFF01', '\u{1F600}']);
    assert.deepEqual((await log.readAll()).map((r) => r.contributorId), expected);
    await store.close();
  }));

test('append table: a replacement becomes the contributor\'s row, survives reopening, and does not add a row', () =>
  withTempDir(async (dir) => {
    const store = await openStore(dir);
    await store.createAppendTable({ name: 'votes', schema: {}, owner: 'study' });
    const log = await store.appendTable('votes');
    await log.append('alice', value(1));
    await log.append('bob', value(2));
    await assert.rejects(log.append('carol', value(3), { replace: true }), UsageError);
    await log.append('alice', value(4), { replace: true });
    assert.equal(log.rowCount, 2);
    assert.deepEqual((await log.readAll()).map((r) => [r.contributorId, Buffer.from(r.value).toString()]), [['alice', value(4).toString()], ['bob', value(2).toString()]]);
    await store.close();
    const again = await openStore(dir);
    assert.deepEqual((await again.listTables()).map((t) => (t.kind === 'append' ? t.rowCount : -1)), [2]);
    const reopened = await again.appendTable('votes');
    assert.equal(reopened.rowCount, 2);
    assert.deepEqual((await reopened.readAll()).map((r) => Buffer.from(r.value).toString()), [value(4).toString(), value(2).toString()]);
    await again.close();
  }));
