/**
 * What a node holds, logs and receives contains no uploaded value: every file of every data
 * directory, every log line, and every message between the nodes is searched for the values
 * (as the 64-bit words they are encoded to, and as text) and for the results, also after derived
 * tables (a filter's rows, a sum) were stored from them.
 */

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { sum } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import { startTestCluster } from '../helpers/cluster.js';

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(p)));
    else out.push(p);
  }
  return out;
}

function word(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return b;
}

test('data directories, logs and messages between nodes contain no uploaded value and no result', async () => {
  const messages: Buffer[] = [];
  const cluster = await startTestCluster({ tap: (_from, payload) => messages.push(Buffer.from(payload)) });
  try {
    const hospital = await cluster.connect('St. Mary Hospital', 0);
    const secrets = [987_654_321_123n, 123_456_789_012n, 555_444_333_222n];
    await hospital.uploadTable('secret_table', { columns: { amount: secrets.map((v) => v.toString()) } }, { columns: { amount: { type: 'integer', min: 0, max: '1000000000000000' } } });
    await hospital.createAppendTable('secret_append', { version: 1, columns: [{ name: 'dose', nullable: false, type: 'integer', min: '0', max: '10000000000' }] });
    const doses = [7_777_777_771n, 7_777_777_772n, 7_777_777_773n];
    for (const dose of doses) {
      const patient = await cluster.connect(undefined, 1);
      await patient.contribute('secret_append', dose, hospital.issueCredential('secret_append').statement);
    }
    const total = (await (await hospital.sum({ column: 'amount', recipients: ['St. Mary Hospital'] })).result()).value;
    assert.equal(total, 1_666_555_443_357);
    const doseSum = (await (await hospital.sum({ column: 'dose', recipients: ['St. Mary Hospital'] })).result()).value;
    assert.equal(doseSum, 23_333_333_316);

    // Derived tables: the stored components of a filtered table and of a sum hold no value either.
    const kept = await (await hospital.table('secret_table').filter(col('amount').ge(200_000_000_000)).store('derived_rows')).result();
    assert.equal(kept.rows, 2);
    const stored = await (await hospital.table('secret_table').agg({ total: sum('amount') }).store('derived_sum')).result();
    assert.equal(stored.rows, 1);
    // Committed at all three before the files are read (a peer may hear the commit last).
    for (const node of [0, 1, 2]) {
      const names = (await (await cluster.connect('St. Mary Hospital', node)).listTables()).map((t) => t.name);
      assert.ok(names.includes('derived_rows') && names.includes('derived_sum'), `node ${node} lists both derived tables`);
    }

    const needles = [...secrets, ...doses, 1_666_555_443_357n, 23_333_333_316n];
    const patterns = needles.flatMap((v) => [word(v), Buffer.from(v.toString(), 'ascii')]);
    const haystacks: [string, Buffer][] = [];
    for (const dir of cluster.dataDirs) for (const file of await allFiles(dir)) haystacks.push([file, await readFile(file)]);
    for (const i of [0, 1, 2]) haystacks.push([`log of node ${i}`, Buffer.from(cluster.logs(i))]);
    messages.forEach((m, i) => haystacks.push([`message ${i} between nodes`, m]));
    assert.ok(haystacks.length > 20 && messages.length > 10);
    for (const [where, bytes] of haystacks) {
      for (const p of patterns) assert.equal(bytes.indexOf(p), -1, `${where} contains a value`);
    }
  } finally {
    await cluster.close();
  }
});
