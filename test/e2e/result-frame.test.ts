/**
 * A result's sealed shares as a binary frame (wire/result-frame.ts): a node answers GET
 * /v1/results/:query (and /share) with a frame when the request accepts one, with JSON (each
 * envelope in base64) otherwise; both carry the same envelopes, and the SDK, which asks for the
 * frame, opens the same result as before.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NodeConnection } from '../../src/client/node-connection.js';
import type { Tessera } from '../../src/client/tessera.js';
import { tableColumn } from '../../src/client/result-columns.js';
import { FormatError } from '../../src/errors.js';
import { ROUTES, type ResultResponse } from '../../src/wire/api.js';
import { decodeResultFrame, encodeResultFrame } from '../../src/wire/result-frame.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
const PARTY = 'St. Mary Hospital';
const costs = [12.5, 7.25, 0, 99.99, 3.5];

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect(PARTY, 0);
  await hospital.uploadTable('visits', { columns: { cost: costs } }, { schema: { version: 1, columns: [{ name: 'cost', nullable: false, type: 'decimal', scale: 2, min: '0', max: '1000' }] } });
});

after(async () => {
  await hospital.close();
  await cluster.close();
});

test('the frame and the JSON answer carry the same envelopes; the SDK opens the result from the frame', async () => {
  const handle = await hospital.table('visits').select('cost').open({ to: [PARTY] });
  const result = await handle.result();
  assert.deepEqual([...tableColumn(result.table, 'cost')], costs);
  assert.deepEqual(result.table.rows, costs.map((cost) => ({ cost })));

  const identity = cluster.parties.get(PARTY)!;
  for (const [node, path] of [[0, ROUTES.result(handle.id)], [1, ROUTES.resultShare(handle.id)]] as const) {
    const connection = new NodeConnection(cluster.collaboration.node(node), { ca: cluster.certs.ca.certPem, timeoutMs: 10_000 });
    try {
      const framed = (await connection.send<Uint8Array>({ method: 'GET', path, signer: identity, acceptFrame: true })).body;
      const json = (await connection.send<ResultResponse>({ method: 'GET', path, signer: identity })).body;
      assert.ok(framed instanceof Uint8Array, 'a frame when asked for one');
      assert.equal(typeof json.shares[0].envelope, 'string', 'JSON otherwise');
      const parts = decodeResultFrame(framed);
      assert.deepEqual(
        parts.shares.map((s) => ({ node: s.node, envelope: Buffer.from(s.envelope).toString('base64') })),
        json.shares,
      );
      const { shares: _f, ...frameInfo } = parts;
      const { shares: _j, ...jsonInfo } = json;
      assert.deepEqual(frameInfo, jsonInfo);
      assert.equal(parts.shares.length, node === 0 ? 3 : 1);
    } finally {
      await connection.close();
    }
  }
});

test('a malformed result frame is refused', () => {
  const good = encodeResultFrame({ query: 'q', shares: [{ node: 1, envelope: Uint8Array.of(1, 2) }], missing: [] } as never);
  assert.deepEqual(decodeResultFrame(good).shares, [{ node: 1, envelope: Uint8Array.of(1, 2) }]);
  assert.throws(() => decodeResultFrame(good.subarray(0, good.length - 1)), FormatError);
  const noNode = encodeResultFrame({ query: 'q', shares: [{ node: 1.5, envelope: Uint8Array.of(1) }], missing: [] } as never);
  assert.throws(() => decodeResultFrame(noNode), FormatError);
});
