/**
 * `tessera sql "<SELECT ...>" --to R1,R2 [--output FILE [--force]] [--explain] [--json]` and `tessera explain "<SELECT ...>"
 * --to R`: SQL parsed on this machine by DuckDB's parser into a query plan (client/sql/), then
 * run (only the recipients open the result) or only checked by the connected node (explain).
 */

import type { Command } from 'commander';
import type { PrivacySpec } from '../../privacy/spec.js';
import type { LazyFrame } from '../../client/frame.js';
import type { Tessera } from '../../client/tessera.js';
import { addConnectionOptions, connectWithFlags, type ConnectionFlags } from '../connect.js';
import { describeExplanation } from '../format-explain.js';
import { describeResult, DUMMY_MARK } from '../format-result.js';
import { formatCount, type Console } from '../output.js';
import { UsageError } from '../../errors.js';
import { addPrivacyOptions, privacyFromFlags, type PrivacyFlags } from '../privacy-options.js';
import { addOutputOptions, checkOutputFlags, describeWritten, writeOutputFile, type OutputFlags } from '../output-file.js';

type SqlFlags = ConnectionFlags & OutputFlags & PrivacyFlags & { to?: string; json?: boolean; explain?: boolean; store?: string; replace?: boolean; joinMaxRows?: string; design?: boolean };

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const EXAMPLE = `\nExample:\n  tessera sql "SELECT count(*) AS n, avg(age) FROM (SELECT age FROM visits UNION ALL SELECT age FROM admissions) WHERE age >= 18" --to "St. Mary Hospital" --cluster ./cluster --as Analyst
Supported: SELECT of count(*), count(col), sum(col), avg(col) FROM one table or a UNION ALL of tables in FROM,
WHERE with comparisons, AND/OR/NOT, IS NULL, BETWEEN, IN (how many rows remain is opened);
SELECT [DISTINCT] columns ... ORDER BY ... LIMIT n [OFFSET m] (also inside FROM);
the rest is refused naming the construct.
Store a result as a derived table instead of opening it (nothing is opened; its row count becomes public):
  tessera sql "CREATE TABLE adults AS SELECT age, cost FROM visits WHERE age >= 18" --as Analyst
  tessera sql --store adults [--replace] "SELECT age, cost FROM visits WHERE age >= 18" --as Analyst`;

export function registerSqlCommands(program: Command, io: Console): void {
  addPrivacyOptions(addOutputOptions(addConnectionOptions(program.command('sql'))))
    .description('run a SQL SELECT (parsed here by DuckDB): only the recipients (--to) can open the result; or store it as a derived table (CREATE TABLE name AS SELECT, or --store)')
    .argument('<statement>', 'one SELECT, or CREATE [OR REPLACE] TABLE name AS SELECT (quote it)')
    .option('--to <recipient,...>', 'parties (with the output role) who may open the result')
    .option('--store <table>', 'store the result as a derived table at the nodes instead of opening it')
    .option('--replace', 'with --store: store over a derived table of yours with that name')
    .option('--explain', 'only check the plan at the node: what it makes public and its estimated cost; nothing runs')
    .option('--join-max-rows <rows>', "the declared output bound of the statement's JOIN when neither side's key is unique (many-to-many)")
    .option('--design', 'design mode: run on the dummy tables (no approval needed, no real row touched; the result is marked as dummy)')
    .option('--json', 'JSON output')
    .addHelpText('after', EXAMPLE)
    .action(async (statement: string, options: SqlFlags) => {
      const { parseCreateTableAs } = await import('../../client/sql/create-table-as.js');
      const ctas = parseCreateTableAs(statement);
      if (ctas && options.store !== undefined) throw new UsageError('give the table either in CREATE TABLE ... AS or with --store, not both');
      if (ctas || options.store !== undefined || options.explain) {
        if (options.output !== undefined) throw new UsageError('--output writes an opened result: it does not go with --store, CREATE TABLE ... AS or --explain');
      }
      if (ctas || options.store !== undefined) {
        if (options.design) throw new UsageError('a design query stores nothing: open its result with --to instead');
        if (options.to !== undefined) throw new UsageError('a stored table is opened to nobody: drop --to (open it later with a SELECT over it)');
        if (privacyFromFlags(options)) throw new UsageError('a stored table is opened to nobody, so it gets no noise: drop --epsilon/--rho (add them to the SELECT that opens it)');
        const target = ctas ? { table: ctas.table, replace: ctas.replace, select: ctas.select } : { table: options.store!, replace: options.replace === true, select: statement };
        return options.explain ? explainStore(io, target, options) : store(io, target, options);
      }
      if (options.replace) throw new UsageError('--replace goes with --store');
      if (options.to === undefined) throw new UsageError("name the recipients with --to (parties with the output role), or store the result with --store NAME");
      if (options.design && options.output !== undefined) {
        // A dummy result goes to a file whose name says so (result.csv → result.dummy.csv).
        const { dummyPath } = await import('../../client/write-result.js');
        options.output = dummyPath(options.output);
      }
      await checkOutputFlags(options);
      return options.explain ? explain(io, statement, options) : run(io, statement, options);
    });

  addPrivacyOptions(addConnectionOptions(program.command('explain')))
    .description('check a SQL SELECT at the node without running it: what it would make public, and its estimated rounds and bytes')
    .argument('<statement>', 'one SELECT statement (quote it)')
    .requiredOption('--to <recipient,...>', 'parties (with the output role) who would open the result')
    .option('--design', 'check against the dummy tables (design mode)')
    .option('--json', 'JSON output')
    .addHelpText('after', EXAMPLE.replace('tessera sql', 'tessera explain'))
    .action(async (statement: string, options: SqlFlags) => explain(io, statement, options));
}

function privacyOf(flags: PrivacyFlags): { privacy?: PrivacySpec } {
  const privacy = privacyFromFlags(flags);
  return privacy ? { privacy } : {};
}

interface StoreTarget {
  readonly table: string;
  readonly replace: boolean;
  readonly select: string;
}

async function explainStore(io: Console, target: StoreTarget, options: SqlFlags): Promise<void> {
  await withClient(target.select, options, async (frame, client) => {
    const checked = await client.checkPlan(frame.toStorePlan(target.table, { replace: target.replace }));
    io.line(options.json ? JSON.stringify(checked) : describeExplanation(checked, io.style));
  });
}

async function store(io: Console, target: StoreTarget, options: SqlFlags): Promise<void> {
  await withClient(target.select, options, async (frame, client) => {
    const handle = await client.runStore(frame.toStorePlan(target.table, { replace: target.replace }));
    const info = await handle.result();
    if (options.json) return io.line(JSON.stringify({ query: handle.id, table: info }));
    io.line(`Stored ${io.style.bold(info.name)} (${formatCount(info.rows)} rows) at all three nodes by query ${handle.id}`);
    io.line(`  from: ${info.lineage?.inputs.join(', ') ?? '?'}; plan: ${info.lineage?.plan ?? '?'}`);
    io.line(`  query it like any table (SELECT ... FROM ${info.name}); delete it with: tessera delete ${info.name}`);
  });
}

/** The statement is parsed and mapped before connecting: a refused construct needs no cluster. */
async function withClient<T>(statement: string, options: SqlFlags, use: (frame: LazyFrame, client: Tessera, recipients: string[], party: string) => Promise<T>): Promise<T> {
  const { sqlToFrame } = await import('../../client/sql/sql-frame.js');
  const { scanFrame } = await import('../../client/frame.js');
  const frame = await sqlToFrame(statement, (table) => scanFrame(table), joinBound(options));
  const connected = await connectWithFlags(options);
  if (options.design) connected.client.design();
  try {
    return await use(frame, connected.client, list(options.to ?? '').map(connected.resolveParty), connected.party);
  } finally {
    await connected.client.close();
  }
}

async function explain(io: Console, statement: string, options: SqlFlags): Promise<void> {
  await withClient(statement, options, async (frame, client, to) => {
    const checked = await client.checkPlan(frame.toPlan({ to, ...privacyOf(options) }));
    io.line(options.json ? JSON.stringify(checked) : describeExplanation(checked, io.style));
  });
}

async function run(io: Console, statement: string, options: SqlFlags): Promise<void> {
  await withClient(statement, options, async (frame, client, to, party) => {
    if (options.output !== undefined && !to.includes(party)) throw new UsageError(`--output writes the result this party opens, and ${party} is not among the recipients (--to): add it, or let a recipient write it (tessera result ID --output FILE)`);
    const handle = await client.run(frame.toPlan({ to, ...privacyOf(options) }));
    const info = await handle.wait();
    const result = to.includes(party) ? await handle.result() : undefined;
    const written = result ? await writeOutputFile(result, options) : undefined;
    if (options.json) return io.line(JSON.stringify({ ...info, ...(result && !written ? { result: jsonResult(result) } : {}), ...(written ? { output: written } : {}) }));
    if (info.design) io.line(io.style.bold(DUMMY_MARK));
    io.line(`Query ${io.style.bold(handle.id)} over ${info.design ? 'the dummies of ' : ''}${info.tables.join(', ')} (${formatCount(info.rows)} rows${info.excluded ? `, ${formatCount(info.excluded)} excluded by the range check` : ''})`);
    io.line(`  plan: ${info.plan}`);
    io.line(`  recipients: ${to.join(', ')}`);
    if (result && written) io.line(`  ${io.style.green(describeWritten(written, result.table.columns))}`);
    else if (result) io.line(`  ${io.style.green(describeResult(result))}`);
    else io.line(`  ${party} is not a recipient, so it cannot open the result; a recipient runs: tessera result ${handle.id} --as RECIPIENT`);
  });
}

/** A result as JSON: bigints as decimal text, NaN as null. */
function jsonResult(r: object): unknown {
  return JSON.parse(JSON.stringify(r, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : typeof value === 'number' && Number.isNaN(value) ? null : value)));
}

/** --join-max-rows as a number of rows (sqlToFrame refuses anything but a whole number ≥ 1). */
function joinBound(options: SqlFlags): { joinMaxRows?: number } {
  if (options.joinMaxRows === undefined) return {};
  if (!/^[0-9]+$/.test(options.joinMaxRows)) throw new UsageError(`--join-max-rows takes a whole number of rows, not ${JSON.stringify(options.joinMaxRows)}`);
  return { joinMaxRows: Number(options.joinMaxRows) };
}
