/**
 * SQL through DuckDB's parser builds the same plan as the data-frame API (same plan hash), and
 * everything the plan cannot express is refused naming the construct, before anything is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aggregate, count, max, mean, min, std, sum, variance, type AggregateExpr } from '../../../src/client/aggregates.js';
import { col, or } from '../../../src/client/expr.js';
import { scanFrame, type LazyFrame } from '../../../src/client/frame.js';
import { sqlToFrame } from '../../../src/client/sql/sql-frame.js';
import { SqlError } from '../../../src/errors.js';

const to = { to: ['Auditor'] };
const source = (t: string) => scanFrame(t);
const hashOf = async (sql: string): Promise<string> => (await sqlToFrame(sql, source)).planHash(to);

const equivalents: [string, LazyFrame][] = [
  ['SELECT count(*) AS n, sum(visits), avg(age) FROM visits', scanFrame('visits').agg({ n: count(), sum_visits: sum('visits'), avg_age: mean('age') })],
  ['select COUNT(*) from visits', scanFrame('visits').agg({ count: count() })],
  ['SELECT count() FROM visits', scanFrame('visits').agg({ count: count() })],
  ['SELECT count(age) FROM visits', scanFrame('visits').agg({ count_age: count('age') })],
  ['SELECT mean(age) AS m FROM visits', scanFrame('visits').agg({ m: mean('age') })],
  ['SELECT sum(v.age) AS s FROM visits AS v', scanFrame('visits').agg({ s: sum('age') })],
  ['SELECT sum(visits.age) AS s FROM visits', scanFrame('visits').agg({ s: sum('age') })],
  ['FROM visits SELECT sum(age) AS s', scanFrame('visits').agg({ s: sum('age') })],
  ['SELECT sum(age) AS s FROM (SELECT age FROM a UNION ALL SELECT age FROM b)', scanFrame('a').concat(scanFrame('b')).select('age').agg({ s: sum('age') })],
  ['SELECT sum(t.age) AS s FROM (SELECT age FROM a UNION ALL (SELECT age FROM b UNION ALL SELECT age FROM c)) AS t', scanFrame('a').concat(scanFrame('b'), scanFrame('c')).select('age').agg({ s: sum('age') })],
  ['SELECT count(*) AS n FROM (SELECT * FROM a UNION ALL SELECT * FROM b)', scanFrame('a').concat(scanFrame('b')).agg({ n: count() })],
  ['SELECT count(*) AS n FROM (FROM a UNION ALL FROM b)', scanFrame('a').concat(scanFrame('b')).agg({ n: count() })],
  ['SELECT sum(cost) AS c FROM (SELECT age, cost FROM a UNION ALL SELECT age, cost FROM b)', scanFrame('a').select('age', 'cost').concat(scanFrame('b').select('age', 'cost')).agg({ c: sum('cost') })],
  ['SELECT count(*) AS n FROM (SELECT age FROM a) t', scanFrame('a').select('age').agg({ n: count() })],
  ["SELECT sum(age) AS s FROM visits WHERE age >= 18 AND sex = 'F'", scanFrame('visits').filter(col('age').ge(18).and(col('sex').eq('F'))).agg({ s: sum('age') })],
  ['SELECT count(*) AS n FROM visits v WHERE 18 < v.age OR NOT (cost <= 12.50) OR d = DATE \'2024-01-31\' OR flag OR ok = true', scanFrame('visits').filter(or(col('age').gt(18), col('cost').gt(12.5), col('d').eq('2024-01-31'), col('flag').eq(true).or(col('ok').eq(true)))).agg({ n: count() })],
  ['SELECT count(*) AS n FROM visits WHERE visits IS NULL AND age IS NOT NULL', scanFrame('visits').filter(col('visits').isNull().and(col('age').isNotNull())).agg({ n: count() })],
  ['SELECT count(*) AS n FROM visits WHERE age BETWEEN 18 AND 65', scanFrame('visits').filter(col('age').ge(18).and(col('age').le(65))).agg({ n: count() })],
  ["SELECT count(*) AS n FROM visits WHERE sex IN ('F', 'X')", scanFrame('visits').filter(col('sex').eq('F').or(col('sex').eq('X'))).agg({ n: count() })],
  ['SELECT sum(age) AS s FROM (SELECT age, sex FROM a UNION ALL SELECT age, sex FROM b) WHERE sex != \'M\'', scanFrame('a').concat(scanFrame('b')).select('age', 'sex').filter(col('sex').ne('M')).agg({ s: sum('age') })],
  ['SELECT sum(p) AS s FROM (SELECT a, b, p FROM t ORDER BY a, b DESC LIMIT 1000)', scanFrame('t').select('a', 'b', 'p').sort('a', { column: 'b', descending: true }).head(1000).agg({ s: sum('p') })],
  ['SELECT count(*) AS n FROM (SELECT a FROM t ORDER BY a DESC NULLS FIRST LIMIT 10 OFFSET 5)', scanFrame('t').select('a').sort({ column: 'a', descending: true, nulls: 'first' }).head(10, { offset: 5 }).agg({ n: count() })],
  ['SELECT count(*) AS n FROM (SELECT DISTINCT a, b FROM t)', scanFrame('t').select('a', 'b').distinct('a', 'b').agg({ n: count() })],
  ['SELECT count(*) AS n FROM (SELECT DISTINCT * FROM t ORDER BY a ASC NULLS LAST)', scanFrame('t').distinct().sort('a').agg({ n: count() })],
  ['SELECT * FROM visits', scanFrame('visits')],
  ['SELECT region, sex, count(*) AS n, avg(cost) AS cost, min(age) AS lo FROM visits GROUP BY region, sex', scanFrame('visits').groupBy('region', 'sex').agg({ n: count(), cost: mean('cost'), lo: min('age') })],
  ["SELECT region, count(*) AS n, max(age) FROM visits WHERE sex = 'F' GROUP BY region HAVING count(*) >= 5 AND max_age < 90", scanFrame('visits').filter(col('sex').eq('F')).groupBy('region').agg({ n: count(), max_age: max('age') }).filter(col('n').ge(5).and(col('max_age').lt(90)))],
  ['SELECT sum(age) AS s FROM visits HAVING sum(age) > 10', scanFrame('visits').agg({ s: sum('age') }).filter(col('s').gt(10))],
  ['SELECT region, stddev(age) AS sd, variance(age) AS v FROM visits GROUP BY region', scanFrame('visits').groupBy('region').agg({ sd: std('age'), v: variance('age') })],
  ["SELECT age, v.sex FROM visits v WHERE sex = 'F'", scanFrame('visits').filter(col('sex').eq('F')).select('age', 'sex')],
  ['SELECT a, b FROM t ORDER BY a DESC, b LIMIT 10', scanFrame('t').select('a', 'b').sort({ column: 'a', descending: true }, 'b').head(10)],
  ['SELECT DISTINCT sex FROM visits', scanFrame('visits').select('sex').distinct('sex')],
  ['SELECT * FROM visits ORDER BY age NULLS FIRST LIMIT 3 OFFSET 1', scanFrame('visits').sort({ column: 'age', nulls: 'first' }).head(3, { offset: 1 })],
];

test('SQL statements and their data-frame equivalents have the same plan hash', async () => {
  for (const [sql, frame] of equivalents) assert.equal(await hashOf(sql), frame.planHash(to), sql);
});

test('random aggregate lists over one or several tables: SQL and frames agree (property)', async () => {
  const item = fc.record({
    fn: fc.constantFrom('count*', 'count', 'sum', 'avg', 'mean'),
    column: fc.constantFrom('age', 'visits', 'cost'),
    alias: fc.option(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), { nil: undefined }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 5 }), fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'visits'), { minLength: 1, maxLength: 3 }), fc.boolean(), async (items, tables, star) => {
      const named = items.map((i) => {
        const call = i.fn === 'count*' ? 'count(*)' : `${i.fn}(${i.column})`;
        const name = i.alias ?? (i.fn === 'count*' ? 'count' : `${i.fn}_${i.column}`);
        const expr: AggregateExpr = i.fn === 'count*' ? count() : aggregate(i.fn === 'avg' ? 'mean' : i.fn, i.column);
        return { sql: i.alias ? `${call} AS ${i.alias}` : call, name, expr };
      });
      fc.pre(new Set(named.map((n) => n.name)).size === named.length);
      const cols = ['age', 'visits', 'cost'];
      const from = tables.length === 1 ? tables[0] : `(${tables.map((t) => `SELECT ${star ? '*' : cols.join(', ')} FROM ${t}`).join(' UNION ALL ')})`;
      const sql = `SELECT ${named.map((n) => n.sql).join(', ')} FROM ${from}`;
      const frames = tables.map((t) => (tables.length > 1 && !star ? scanFrame(t).select(...cols) : scanFrame(t)));
      const input = frames.length === 1 ? frames[0] : frames[0].concat(...frames.slice(1));
      const frame = input.agg(Object.fromEntries(named.map((n) => [n.name, n.expr])));
      assert.equal(await hashOf(sql), frame.planHash(to), sql);
    }),
    { numRuns: 25 },
  );
});

/** Statement, the construct the refusal names, and a phrase of its message. */
const refusals: [string, string, RegExp][] = [
  ['SELECT sum(age) FROM visits WHERE age + 1 > 18', 'comparison of constants or expressions', /a column on one side/],
  ['SELECT sum(age) FROM visits WHERE age > NULL', 'NULL in a comparison', /use IS NULL/],
  ['SELECT sum(age) FROM visits WHERE age IS DISTINCT FROM 3', 'COMPARE_DISTINCT_FROM in WHERE', /use = != < <= > >=/],
  ['SELECT sum(age) FROM visits WHERE name LIKE \'a%\'', '~~ in WHERE', /not supported in WHERE/],
  ['SELECT sum(age) FROM visits WHERE age > 12345678901234567890', 'HUGEINT constant', /not supported in WHERE/],
  ['SELECT sum(age) FROM visits WHERE 3', 'a constant as a condition', /needs a condition/],
  ['SELECT count(*) FROM a, b', 'CROSS JOIN', /cross joins are not supported/],
  ['SELECT count(*) FROM visits ORDER BY 1', 'ORDER BY of aggregates', /one row; put it on a SELECT inside FROM/],
  ['SELECT count(*) FROM visits LIMIT 1', 'LIMIT/OFFSET of aggregates', /inside FROM/],
  ['SELECT count(*) FROM visits OFFSET 1', 'LIMIT/OFFSET of aggregates', /inside FROM/],
  ['SELECT age FROM visits ORDER BY cost', 'ORDER BY a column not selected', /select it too/],
  ['SELECT DISTINCT count(*) FROM visits', 'DISTINCT of aggregates', /inside FROM/],
  ['SELECT count(*) FROM (SELECT DISTINCT ON (age) age FROM visits)', 'DISTINCT ON', /SELECT DISTINCT the key columns/],
  ['SELECT count(*) FROM (SELECT age FROM visits ORDER BY 1)', 'ORDER BY a position', /ORDER BY column names/],
  ['SELECT count(*) FROM (SELECT age FROM visits ORDER BY age + 1)', 'ORDER BY an expression', /ORDER BY column names/],
  ['SELECT count(*) FROM (SELECT age FROM visits ORDER BY cost)', 'ORDER BY a column not selected', /select it too/],
  ['SELECT count(*) FROM (SELECT age FROM visits LIMIT 10 PERCENT)', 'LIMIT ... PERCENT', /number of rows/],
  ['SELECT count(*) FROM (SELECT age FROM visits LIMIT 5 + 1)', 'LIMIT of an expression', /whole number written out/],
  ['SELECT count(*) FROM (SELECT age FROM visits OFFSET 3)', 'OFFSET without LIMIT', /LIMIT 10 OFFSET 5/],
  ['SELECT count(*) FROM visits GROUP BY ALL', 'GROUP BY ALL', /name the key columns/],
  ['SELECT a, b, count(*) FROM visits GROUP BY CUBE (a, b)', 'GROUPING SETS, CUBE, ROLLUP', /crosstab/],
  ['SELECT count(*) AS n, region FROM visits GROUP BY region', 'the select list of a GROUP BY', /GROUP BY columns first/],
  ['SELECT sex, region, count(*) FROM visits GROUP BY region, sex', 'the select list of a GROUP BY', /in GROUP BY order/],
  ['SELECT count(*) FROM visits GROUP BY region', 'the select list of a GROUP BY', /GROUP BY columns first/],
  ['SELECT region, count(*) FROM visits GROUP BY age + 1', 'GROUP BY of an expression', /stored columns/],
  ['SELECT region, count(*) AS n FROM visits GROUP BY region HAVING sum(age) > 5', 'an aggregate in HAVING that is not selected', /add sum\(age\) to the select list/],
  ['SELECT region, count(*) AS n FROM visits GROUP BY region HAVING age > 5', 'HAVING on a column not selected', /'age' is neither/],
  ['SELECT count(*) FROM (SELECT region FROM a GROUP BY region)', 'GROUP BY or HAVING inside FROM', /group on the outer SELECT/],
  ['SELECT age, count(*) FROM visits', 'columns without an aggregate beside aggregates', /need GROUP BY/],
  ['SELECT count(DISTINCT age) FROM visits', 'count(DISTINCT ...)', /count_distinct comes/],
  ['SELECT sum(DISTINCT age) FROM visits', 'sum(DISTINCT ...)', /distinct comes/],
  ['SELECT sum(age) OVER () FROM visits', 'window functions (OVER)', /window functions/],
  ['SELECT count(*) FROM visits QUALIFY 1', 'QUALIFY', /QUALIFY/],
  ['SELECT sum(age + 1) FROM visits', 'expressions (+) inside sum()', /derived columns come soon/],
  ['SELECT sum(CAST(age AS BIGINT)) FROM visits', 'casts inside sum()', /derived columns/],
  ['SELECT sum(age) / count(*) FROM visits', 'expressions (/) over aggregates', /combine them after opening/],
  ['SELECT median(age) FROM visits', 'median()', /not an aggregate this release knows/],
  ['SELECT abs(age) FROM visits', 'abs()', /not an aggregate this release knows/],
  ['SELECT var_pop(age) FROM visits', 'var_pop()', /population variance is not supported/],
  ['SELECT stddev_pop(age) FROM visits', 'stddev_pop()', /population variance is not supported/],
  ['SELECT age AS years FROM visits', 'renaming columns (AS)', /rename comes/],
  ['SELECT 1 FROM visits', 'constants', /aggregates of columns/],
  ['SELECT count(1) FROM visits', 'count(constant)', /write count\(\*\)/],
  ['SELECT sum() FROM visits', 'sum() without a column', /needs a column/],
  ['SELECT (SELECT count(*) FROM a) FROM visits', 'subqueries', /aggregates of columns/],
  ['SELECT count(*) FROM (SELECT age FROM a WHERE age > 1)', 'WHERE inside FROM', /put the WHERE on the outer SELECT/],
  ['SELECT count(*) FROM (SELECT (SELECT 1) AS x FROM a)', 'subqueries inside FROM', /stored columns/],
  ['SELECT count(*) FROM (SELECT * FROM (SELECT age FROM a))', 'nested subquery', /reads one stored table/],
  ['SELECT count(*) FROM (SELECT age AS years FROM a)', 'renaming columns (AS) inside FROM', /rename comes/],
  ['SELECT count(*) FROM (SELECT age FROM a UNION SELECT age FROM b)', 'UNION (without ALL)', /removes duplicate rows/],
  ['SELECT count(*) FROM (SELECT age FROM a EXCEPT SELECT age FROM b)', 'EXCEPT', /UNION ALL concatenates/],
  ['SELECT count(*) FROM (SELECT age FROM a INTERSECT SELECT age FROM b)', 'INTERSECT', /UNION ALL concatenates/],
  ['SELECT count(*) FROM (SELECT age, cost FROM a UNION ALL SELECT cost, age FROM b)', 'UNION ALL of different columns', /combines columns by position/],
  ['SELECT count(*) FROM (SELECT * FROM a UNION ALL SELECT age FROM b)', 'UNION ALL of different columns', /same columns in the same order/],
  ['SELECT sum(age) FROM a UNION ALL SELECT sum(age) FROM b', 'set operation of results', /put UNION ALL inside FROM/],
  ['WITH x AS (SELECT * FROM visits) SELECT count(*) FROM x', 'WITH (common table expressions)', /name the tables directly/],
  ['SELECT count(*) FROM read_csv(\'visits.csv\')', 'table function', /stored at the nodes/],
  ['SELECT count(*)', 'SELECT without FROM', /name a table/],
  ['SELECT count(*) FROM main.visits', 'qualified table name', /name the table alone/],
  ['SELECT sum(other.age) FROM visits', 'qualified column name', /does not name a column of the table in FROM/],
  ['SELECT sum(age) AS "Total age" FROM visits', 'output name', /cannot name an output/],
  ['SELECT sum(age), sum(age) FROM visits', 'duplicate output name', /give each its own name with AS/],
  ['SELECT sum(age) FILTER (WHERE age > 1) FROM visits', 'FILTER (WHERE ...) on sum()', /filter the whole SELECT with WHERE/],
  ['SELECT sum(age ORDER BY age) FROM visits', 'ORDER BY inside sum()', /do not depend on order/],
  ['SELECT sum($1) FROM visits', 'parameters', /write the values into the statement/],
  ['SELECT count(*) FROM visits USING SAMPLE 10', 'USING SAMPLE', /whole tables/],
  ['SELECT count(*) FROM (SELECT * EXCLUDE (age) FROM a)', 'exclude_list', /cannot read 'exclude_list'/],
  ['SELECT 1; SELECT 2', 'multiple statements', /one SELECT statement at a time/],
  ['INSERT INTO visits VALUES (1)', 'non-SELECT statement', /only SELECT statements/],
  ['DELETE FROM visits', 'non-SELECT statement', /only SELECT statements/],
  ['SELEC count(*) FROM visits', 'syntax', /SQL syntax error: .*SELEC.*at character 1/],
  ['   ', 'empty statement', /empty/],
];

test('what the plan cannot express is refused, naming the construct', async () => {
  for (const [sql, construct, message] of refusals) {
    await assert.rejects(sqlToFrame(sql, source), (error: unknown) => {
      assert.ok(error instanceof SqlError, `${sql}: ${String(error)}`);
      assert.equal(error.code, 'SQL');
      assert.equal(error.construct, construct, `${sql}: ${error.message}`);
      assert.match(error.message, message, sql);
      return true;
    });
  }
});
