/** The replay journal (node/replay-journal.ts): what is read back after a stop or a crash, and what is refused. */

import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPLAY_JOURNAL_FILE, ReplayJournal } from '../../src/node/replay-journal.js';
import { withTempDir } from '../helpers/temp-dir.js';

const KEY_A = 'A'.repeat(22);
const KEY_B = 'B'.repeat(22);
const KEY_C = 'C'.repeat(22);

test('nonces are read back after a crash (no close), expired ones are dropped, the file is compacted', () =>
  withTempDir(async (dir) => {
    let now = 1_000_000;
    const first = ReplayJournal.open(dir, 3, () => now);
    first.store(0).add(KEY_A, now + 60_000);
    first.store(2).add(KEY_B, now + 60_000);
    first.store(1).add(KEY_C, now + 10);
    // No close: the process "crashed"; the lines are in the file all the same.
    now += 1000;
    const second = ReplayJournal.open(dir, 3, () => now);
    assert.equal(second.store(0).has(KEY_A), true);
    assert.equal(second.store(2).has(KEY_B), true);
    assert.equal(second.store(0).has(KEY_B), false, 'entries belong to their audience');
    assert.equal(second.store(1).has(KEY_C), false, 'an expired entry is not restored');
    assert.deepEqual((await readFile(join(dir, REPLAY_JOURNAL_FILE), 'utf8')).trim().split('\n').sort(), [`0 ${1_060_000} ${KEY_A}`, `2 ${1_060_000} ${KEY_B}`]);
    second.close();
    first.close();
  }));

test('a torn last line is ignored; a damaged line elsewhere stops the start with STORAGE_CORRUPT', () =>
  withTempDir(async (dir) => {
    const path = join(dir, REPLAY_JOURNAL_FILE);
    await writeFile(path, `0 ${Date.now() + 60_000} ${KEY_A}\n1 17`);
    const journal = ReplayJournal.open(dir, 3);
    assert.equal(journal.store(0).has(KEY_A), true);
    journal.close();
    await appendFile(path, `garbage line\n0 ${Date.now() + 60_000} ${KEY_B}\n`);
    assert.throws(() => ReplayJournal.open(dir, 3), { code: 'STORAGE_CORRUPT', message: /replay journal .* is damaged \(line \d+/ });
  }));
