/**
 * Storage and envelope measurements (not run by `npm test`):
 *   npx tsc -p . && node dist/bench/storage.js [--appends=100000] [--callers=64] [--rows=1000000]
 * Prints figures; asserts nothing about time.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentity } from '../src/crypto/identity.js';
import { openEnvelope, sealEnvelope } from '../src/crypto/envelope.js';
import { TableStore } from '../src/node/storage.js';

function argument(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
}

const APPENDS = argument('appends', 100_000);
const CALLERS = argument('callers', 64);
const ROWS = argument('rows', 1_000_000);
const COLUMNS = 5;
const BYTES_PER_VALUE = 16;
const RECORD_BYTES = 64;
const ENVELOPE_MB = argument('envelope-mb', 100);

const seconds = (t0: number) => (performance.now() - t0) / 1000;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function benchAppends(dataDir: string, callers: number, total: number): Promise<void> {
  const nodeSecret = randomBytes(32);
  const store = await TableStore.open({ dataDir, nodeSecret });
  const name = `votes-${callers}`;
  await store.createAppendTable({ name, schema: { value: 'bytes' }, owner: 'bench' });
  const log = await store.appendTable(name);
  const value = randomBytes(RECORD_BYTES);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let i = next++; i < total; i = next++) await log.append(`contributor-${i}`, value);
    }),
  );
  const elapsed = seconds(t0);
  console.log(`appends: ${fmt(total)} x ${RECORD_BYTES} B, ${callers} concurrent callers: ${fmt(elapsed, 2)} s, ${fmt(total / elapsed)} appends/s`);
  await store.close();

  const t1 = performance.now();
  const reopened = await TableStore.open({ dataDir, nodeSecret });
  const log2 = await reopened.appendTable(name);
  const openSeconds = seconds(t1);
  const t2 = performance.now();
  const rows = await log2.readAll();
  console.log(`  reopen (check every record): ${fmt(openSeconds, 2)} s; readAll sorted: ${fmt(seconds(t2), 2)} s (${fmt(rows.length)} rows)`);
  await reopened.close();
}

async function benchTable(dataDir: string): Promise<void> {
  const store = await TableStore.open({ dataDir, nodeSecret: randomBytes(32) });
  const columns = Array.from({ length: COLUMNS }, (_, i) => ({ name: `c${i}`, data: randomBytes(ROWS * BYTES_PER_VALUE) }));
  const mb = (COLUMNS * ROWS * BYTES_PER_VALUE) / 1e6;
  const t0 = performance.now();
  const staged = await store.stageTable({ name: 'big', schema: { columns: COLUMNS }, owner: 'bench', rowCount: ROWS, columns });
  await store.commitTable(staged.stageId);
  const write = seconds(t0);
  const t1 = performance.now();
  const table = await store.readTable('big');
  const read = seconds(t1);
  if (table.columns.length !== COLUMNS) throw new Error('read back the wrong table');
  console.log(
    `table: ${fmt(ROWS)} rows x ${COLUMNS} columns x ${BYTES_PER_VALUE} B = ${fmt(mb, 0)} MB: ` +
      `write+commit ${fmt(write, 2)} s (${fmt(mb / write)} MB/s), read+verify ${fmt(read, 2)} s (${fmt(mb / read)} MB/s)`,
  );
  const t2 = performance.now();
  await store.listTables();
  console.log(`  listTables: ${fmt((performance.now() - t2), 1)} ms`);
  await store.close();
}

function benchEnvelope(): void {
  const node = createIdentity('node');
  const sender = createIdentity('client');
  const payload = randomBytes(ENVELOPE_MB * 1e6);
  const context = { purpose: 'table-share', table: 'big', node: 0 };
  for (const signed of [false, true]) {
    const t0 = performance.now();
    const sealed = sealEnvelope(payload, node.encryptionPublicKey, context, signed ? { sender: sender.signingPrivateKey } : {});
    const seal = seconds(t0);
    const t1 = performance.now();
    openEnvelope(sealed, node.encryptionPrivateKey, context, signed ? { expectedSender: sender.signingPublicKey } : {});
    const open = seconds(t1);
    console.log(
      `envelope ${ENVELOPE_MB} MB${signed ? ', signed' : ''}: seal ${fmt(seal, 2)} s (${fmt(ENVELOPE_MB / seal)} MB/s), open ${fmt(open, 2)} s (${fmt(ENVELOPE_MB / open)} MB/s)`,
    );
  }
}

const root = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
try {
  console.log(`node ${process.version}, data in ${root}`);
  await benchAppends(join(root, 'a64'), CALLERS, APPENDS);
  await benchAppends(join(root, 'a1'), 1, Math.min(APPENDS, 10_000));
  await benchTable(join(root, 't'));
  benchEnvelope();
} finally {
  await rm(root, { recursive: true, force: true });
}
