import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeFrame, encodeFrame } from '../../src/wire/frames.js';
import { ColumnDecoder, decodeSharePayload, encodeSharePayload, expandComponent, payloadSize, splitPayloadColumns } from '../../src/wire/share-payload.js';
import { dealColumns } from '../../src/mpc/sharing.js';
import { decodeColumn, decodeResultShare, encodeColumn, encodeResultShare, type ResultShare, RESULT_SHARE_FORMAT, RESULT_SHARE_FORMAT_JSON } from '../../src/wire/result-payload.js';
import { reconstruct } from '../../src/client/reconstruct.js';
import { FormatError, IntegrityError } from '../../src/errors.js';
import { u64 } from '../helpers/protocol.js';

test('frames round-trip and refuse corruption', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 5 }), (header, parts) => {
      const f = decodeFrame(encodeFrame(header, parts));
      assert.deepEqual(f.header, JSON.parse(JSON.stringify(header)));
      assert.deepEqual(f.parts.map((p) => [...p]), parts.map((p) => [...p]));
    }),
  );
  const good = encodeFrame({ a: 1 }, [new Uint8Array([1, 2, 3])]);
  for (const bad of [good.subarray(0, good.length - 1), new Uint8Array([...good, 0]), new Uint8Array(10), Uint8Array.from(good, (b, i) => (i === 0 ? b ^ 1 : b))]) {
    assert.throws(() => decodeFrame(bad), FormatError);
  }
});

test('dealt shares: each node holds two components, all three reconstruct the columns', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 30 }).chain((rows) => fc.array(fc.array(u64, { minLength: rows, maxLength: rows }), { minLength: 1, maxLength: 4 }).map((cols) => ({ rows, cols }))), ({ rows, cols }) => {
      const columns = cols.map((c) => BigUint64Array.from(c));
      const payloads = dealColumns(columns, rows).map((p) => decodeSharePayload(encodeSharePayload(p), { columns: columns.length, rows }));
      columns.forEach((v, c) => {
        const comp = payloads.map((p) => [expandComponent(p.columns[c].a, rows), expandComponent(p.columns[c].b, rows)]);
        for (let i = 0; i < 3; i++) assert.deepEqual(comp[i][1], comp[(i + 1) % 3][0], 'replicated components agree');
        for (let r = 0; r < rows; r++) assert.equal(BigInt.asUintN(64, comp[0][0][r] + comp[1][0][r] + comp[2][0][r]), v[r]);
      });
      // Node 0 receives only seeds: its payload does not grow with the row count.
      assert.equal(payloadSize(payloads[0]), 12 + columns.length * 2 * 17);
    }),
  );
  const p = encodeSharePayload(dealColumns([new BigUint64Array(4)], 4)[1]);
  assert.throws(() => decodeSharePayload(p, { columns: 2, rows: 4 }), FormatError);
  assert.throws(() => decodeSharePayload(p, { columns: 1, rows: 5 }), FormatError);
  assert.throws(() => decodeSharePayload(p.subarray(0, p.length - 1), { columns: 1, rows: 4 }), FormatError);
});

test('result reconstruction from two or three nodes, and detection of a lying node', () => {
  const x = [5n, 7n, BigInt.asUintN(64, -12n + 100n)];
  const column = (v: bigint) => BigUint64Array.of(v, v + 1n);
  const share = (node: 0 | 1 | 2, a: bigint, b: bigint): ResultShare => ({ format: RESULT_SHARE_FORMAT, query: 'q', node, rows: 2, columns: [{ name: 'sum', a: column(a), b: column(b) }], public: { rows: 3 } });
  const all = [share(0, x[0], x[1]), share(1, x[1], x[2]), share(2, x[2], x[0])];
  assert.deepEqual([...reconstruct(all).columns.get('sum')!], [100n, 103n]);
  assert.deepEqual([...reconstruct([all[0], all[2]]).columns.get('sum')!], [100n, 103n]);
  // A column whose length does not match the rows is refused.
  assert.throws(() => reconstruct([all[0], { ...all[1], rows: 3 }]), IntegrityError);
  assert.throws(() => reconstruct([all[0], { ...all[1], columns: [{ name: 'sum', a: BigUint64Array.of(1n), b: all[1].columns[0].b }] }]), FormatError);
  assert.throws(() => reconstruct([all[0], share(1, x[1] + 1n, x[2]), all[2]]), IntegrityError);
  assert.throws(() => reconstruct([all[0]]), IntegrityError);
});

test('a column decoded from chunks of any size equals the column decoded at once; malformed bytes are refused the same way', () => {
  fc.assert(
    fc.property(fc.array(u64, { minLength: 0, maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 12 }), fc.constantFrom(0, 1, 2), (values, cuts, party) => {
      const rows = values.length;
      const payload = dealColumns([BigUint64Array.from(values)], rows)[party];
      const [bytes] = splitPayloadColumns(encodeSharePayload(payload), { columns: 1, rows });
      const decoder = new ColumnDecoder(rows);
      let o = 0;
      for (let k = 0; o < bytes.byteLength; k++) {
        const n = cuts[k % cuts.length];
        decoder.push(bytes.subarray(o, o + n));
        o += n;
      }
      const got = decoder.finish();
      assert.deepEqual([expandComponent(got.a, rows), expandComponent(got.b, rows)], [expandComponent(payload.columns[0].a, rows), expandComponent(payload.columns[0].b, rows)]);
      // Cut short anywhere, or with a byte too many, it is refused.
      const short = new ColumnDecoder(rows);
      short.push(bytes.subarray(0, bytes.byteLength - 1));
      assert.throws(() => short.finish(), FormatError);
      const long = new ColumnDecoder(rows);
      assert.throws(() => long.push(Buffer.concat([bytes, Buffer.of(0)])), /trailing bytes/);
    }),
    { numRuns: 60 },
  );
  assert.throws(() => new ColumnDecoder(3).push(Uint8Array.of(7)), /unknown component kind 7/);
});

test('a result column is read only from the exact base64 encodeColumn writes (every length, every kind of deviation)', () => {
  for (let rows = 0; rows <= 4; rows++) {
    const values = BigUint64Array.from({ length: rows }, (_, i) => 0x0123456789abcdefn * BigInt(i + 1));
    const text = encodeColumn(values);
    assert.deepEqual([...decodeColumn(text, rows, 'x')], [...values]);
    assert.throws(() => decodeColumn(text, rows + 1, 'x'), FormatError);
    const deviations = [text + '\n', ` ${text}`, text.replace(/=+$/, ''), text + '=', text.replace(/\+/g, '-').replace(/\//g, '_') + (text.includes('+') || text.includes('/') ? '' : '*')];
    if (text.endsWith('=')) {
      // The same bytes with non-zero padding bits in the last character before '='.
      const last = text.replace(/=+$/, '');
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const padded = alphabet[alphabet.indexOf(last[last.length - 1]) + 1];
      deviations.push(last.slice(0, -1) + padded + text.slice(last.length));
    }
    if (rows > 0) deviations.push(text.slice(0, 4) + '*' + text.slice(5));
    for (const bad of deviations.filter((d) => d !== text)) assert.throws(() => decodeColumn(bad, rows, 'x'), FormatError, JSON.stringify(bad));
  }
});

test('a result share round-trips through its binary form (any rows, columns, offsets); the earlier JSON form is still read; malformed bytes are refused', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.array(fc.tuple(u64, u64), { maxLength: 20 })), { maxLength: 4 }), fc.nat({ max: 7 }), (cols, offset) => {
      const rows = cols.length > 0 ? cols[0][1].length : 3;
      const columns = cols.map(([name, values], k) => ({ name, a: BigUint64Array.from({ length: rows }, (_, i) => values[i]?.[0] ?? BigInt(k)), b: BigUint64Array.from({ length: rows }, (_, i) => values[i]?.[1] ?? 0n) }));
      const share: ResultShare = { format: RESULT_SHARE_FORMAT, query: 'q-1', node: 2, rows, columns, public: { rows: 9, excluded: 0 } };
      const bytes = encodeResultShare(share);
      // At any offset in a larger buffer, as an opened envelope's payload may lie.
      const shifted = new Uint8Array(bytes.length + offset).subarray(offset);
      shifted.set(bytes);
      assert.deepEqual(decodeResultShare(shifted), share);
      const json = { format: RESULT_SHARE_FORMAT_JSON, query: 'q-1', node: 2, rows, public: { rows: 9, excluded: 0 }, columns: columns.map((c) => ({ name: c.name, a: encodeColumn(c.a), b: encodeColumn(c.b) })) };
      assert.deepEqual(decodeResultShare(new TextEncoder().encode(JSON.stringify(json))), { ...share, format: RESULT_SHARE_FORMAT_JSON });
      if (columns.length > 0) {
        assert.throws(() => decodeResultShare(bytes.subarray(0, bytes.length - 1)), FormatError);
        assert.throws(() => decodeResultShare(Uint8Array.from([...bytes, 0])), FormatError);
      }
    }),
    { numRuns: 60 },
  );
  const good = encodeResultShare({ format: RESULT_SHARE_FORMAT, query: 'q', node: 0, rows: 1, columns: [{ name: 'x', a: BigUint64Array.of(1n), b: BigUint64Array.of(2n) }], public: {} });
  assert.throws(() => decodeResultShare(Uint8Array.from([0x54, 0x53, 0x52, 0x54, ...good.subarray(4)])), FormatError);
  const header = new DataView(good.buffer).getUint32(4, true);
  const otherFormat = Buffer.from(Buffer.from(good.subarray(8, 8 + header)).toString('utf8').replace('/v3', '/v9'));
  assert.throws(() => decodeResultShare(Uint8Array.from([...good.subarray(0, 8), ...otherFormat, ...good.subarray(8 + header)])), /tessera-result-share\/v9/);
  assert.throws(() => encodeResultShare({ format: RESULT_SHARE_FORMAT, query: 'q', node: 0, rows: 2, columns: [{ name: 'x', a: BigUint64Array.of(1n), b: BigUint64Array.of(2n) }], public: {} }), FormatError);
  assert.throws(() => decodeResultShare(new TextEncoder().encode('{"format":"tessera-result-share/v2","query":"q","node":0,"rows":1,"public":{},"columns":[{"name":"x","a":"AQAAAAAAAAA=","b":"AQAAAAAAAA"}]}')), FormatError);
});
