/** SQL JOIN (client/sql/join-to-frame.ts) builds the same plan as frame.join, and refuses what a join node cannot express, naming the construct. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, mean, sum } from '../../../src/client/aggregates.js';
import { col } from '../../../src/client/expr.js';
import { scanFrame, type LazyFrame } from '../../../src/client/frame.js';
import { sqlToFrame } from '../../../src/client/sql/sql-frame.js';
import { SqlError } from '../../../src/errors.js';
import type { AggregateNode } from '../../../src/plan/plan.js';

const to = { to: ['Auditor'] };
const source = (t: string) => scanFrame(t);
const v = (...c: string[]) => scanFrame('visits').select(...c);
const c = (...cs: string[]) => scanFrame('claims').select(...cs);

const equivalents: [string, LazyFrame][] = [
  ['SELECT count(*) AS n FROM visits JOIN claims ON visits.patient = claims.patient_id', v('patient').join(c('patient_id'), { on: { left: 'patient', right: 'patient_id' } }).agg({ n: count() })],
  ['SELECT count(*) AS n, sum(c.amount) AS total, avg(v.age) AS age FROM visits v INNER JOIN claims c ON c.patient_id = v.patient', v('patient', 'age').join(c('patient_id', 'amount'), { on: { left: 'patient', right: 'patient_id' } }).agg({ n: count(), total: sum('amount'), age: mean('age') })],
  ['SELECT sum(c.amount) AS s FROM visits v LEFT JOIN claims c USING (patient) WHERE v.age >= 18', v('patient', 'age').join(c('patient', 'amount'), { on: 'patient', how: 'left' }).filter(col('age').ge(18)).agg({ s: sum('amount') })],
  ['SELECT count(patient) AS n FROM visits JOIN claims USING (patient, site)', v('patient', 'site').join(c('patient', 'site'), { on: ['patient', 'site'] }).agg({ n: count('patient') })],
  // The right key stands for the left key in an inner join.
  ['SELECT count(c.pid) AS n FROM visits v JOIN claims c ON v.id = c.pid AND v.site = c.site_id', v('id', 'site').join(c('pid', 'site_id'), { on: [{ left: 'id', right: 'pid' }, { left: 'site', right: 'site_id' }] }).agg({ n: count('id') })],
];

test('SQL joins build the same plan as frame.join', async () => {
  for (const [sql, frame] of equivalents) {
    assert.equal((await sqlToFrame(sql, source)).planHash(to), frame.planHash(to), sql);
  }
});

const refusals: [string, string, RegExp][] = [
  ['SELECT count(*) FROM a RIGHT JOIN b ON a.x = b.x', 'RIGHT JOIN', /swap the tables and write LEFT JOIN/],
  ['SELECT count(*) FROM a FULL OUTER JOIN b ON a.x = b.x', 'FULL JOIN', /INNER and LEFT joins are/],
  ['SELECT count(*) FROM a SEMI JOIN b ON a.x = b.x', 'SEMI JOIN', /not supported/],
  ['SELECT count(*) FROM a NATURAL JOIN b', 'NATURAL JOIN', /natural joins are not supported/],
  ['SELECT count(*) FROM a CROSS JOIN b', 'CROSS JOIN', /cross joins are not supported/],
  ['SELECT count(*) FROM a JOIN b ON a.x < b.x', 'JOIN condition other than equality', /equalities of a left and a right column/],
  ['SELECT count(*) FROM a JOIN b ON a.x = b.x OR a.y = b.y', 'JOIN condition other than equality', /joined by AND/],
  ['SELECT count(*) FROM a JOIN b ON a.x = a.y', 'JOIN condition other than equality', /does not compare a column of each table/],
  ['SELECT count(*) FROM a JOIN b ON x = b.x', 'unqualified column in a JOIN', /qualify 'x'/],
  ['SELECT sum(age) FROM a JOIN b ON a.x = b.x', 'unqualified column in a JOIN', /qualify column 'age' with its table \(a.age or b.age\)/],
  ['SELECT count(*) FROM a JOIN b ON a.x = b.x JOIN c ON a.x = c.x', 'several JOINs', /one JOIN per query/],
  ['SELECT count(*) FROM a JOIN (SELECT x FROM b) t ON a.x = t.x', 'subquery in a JOIN', /names a stored table/],
  ['SELECT count(*) FROM a JOIN a ON a.x = a.x', 'self-join without aliases', /different aliases/],
  ['SELECT a.v, b.w FROM a JOIN b ON a.x = b.x', 'selecting rows of a JOIN', /open the join with the data-frame API/],
  ['SELECT count(b.x) FROM a LEFT JOIN b ON a.x = b.x', 'right key of a LEFT JOIN', /use the left key instead/],
  ['SELECT sum(a.v), sum(b.v) FROM a JOIN b ON a.x = b.x', 'the same column name on both sides', /'v' is named on both sides/],
];

test('a declared bound beside the statement makes its JOIN many-to-many (as frame.join with maxRows); without a JOIN it is refused', async () => {
  const sql = 'SELECT count(*) AS n, sum(c.amount) AS total FROM visits v LEFT JOIN claims c ON v.patient = c.patient_id';
  const frame = v('patient').join(c('patient_id', 'amount'), { on: { left: 'patient', right: 'patient_id' }, how: 'left', maxRows: 5000 }).agg({ n: count(), total: sum('amount') });
  assert.equal((await sqlToFrame(sql, source, { joinMaxRows: 5000 })).planHash(to), frame.planHash(to));
  const node = (frame.toPlan(to).root.input as AggregateNode).input;
  assert.equal(node.op === 'join' && node.kind, 'many-to-many');
  assert.equal(node.op === 'join' && node.max_rows, 5000);
  await assert.rejects(sqlToFrame('SELECT count(*) AS n FROM visits', source, { joinMaxRows: 10 }), (e: unknown) => e instanceof SqlError && e.construct === 'join bound without a JOIN' && /leave it out/.test(e.message));
  await assert.rejects(sqlToFrame(sql, source, { joinMaxRows: 0 }), (e: unknown) => e instanceof SqlError && /at least 1/.test(e.message));
});

test('what a join node cannot express is refused naming the construct', async () => {
  for (const [sql, construct, message] of refusals) {
    await assert.rejects(sqlToFrame(sql, source), (e: unknown) => {
      assert.ok(e instanceof SqlError, `${sql}: ${String(e)}`);
      assert.equal(e.construct, construct, `${sql}: ${e.message}`);
      assert.match(e.message, message, sql);
      return true;
    });
  }
});

test('frame.join options are checked for shape, and the plan parses', () => {
  const plan = v('patient').join(c('patient_id', 'amount'), { on: { left: 'patient', right: 'patient_id' }, how: 'left', kind: 'one-to-one', mode: 'oblivious' }).agg({ n: count() }).toPlan(to);
  assert.deepEqual((plan.root.input as AggregateNode).input, {
    op: 'join', left: { op: 'scan', table: 'visits', columns: ['patient'] }, right: { op: 'scan', table: 'claims', columns: ['patient_id', 'amount'] },
    on: [{ left: 'patient', right: 'patient_id' }], how: 'left', kind: 'one-to-one', mode: 'oblivious',
  });
  assert.throws(() => v('a').join(c('a'), { on: [] }), /join needs 'on'/);
  assert.throws(() => v('a').join(c('a'), { on: 'a', how: 'outer' as 'left' }), /'inner' or 'left'/);
  assert.throws(() => v('a').join(c('a'), { on: '1a' }), /not a column name/);
  assert.throws(() => v('a').join(c('a'), { on: 'a', kind: 'many-to-many' }).agg({ n: count() }).toPlan(to), /needs max_rows/);
  // A selection after a join is an explicit select node (which side holds a column is the nodes' knowledge).
  assert.deepEqual(v('a').join(c('a', 'b'), { on: 'a' }).select('b').node, { op: 'select', input: v('a').join(c('a', 'b'), { on: 'a' }).node, columns: ['b'] });
});
