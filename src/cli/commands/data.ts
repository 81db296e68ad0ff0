/**
 * Everyday commands on top of the SDK: `tables`, `upload`, `query`, `result`. Thin on purpose:
 * each is a few SDK calls; the SDK does the checking, sharing, sealing and opening.
 */

import { addPrivacyOptions, privacyFromFlags, type PrivacyFlags } from '../privacy-options.js';
import { aggregateArgumentsFromFlags, type AggregateFlags } from '../aggregate-options.js';
import { readFile } from 'node:fs/promises';
import { Argument, Option, type Command } from 'commander';
import { loadIdentifierKey } from '../../crypto/identifier-key.js';
import { UsageError } from '../../errors.js';
import { aggregateNames, aggregates, findAggregate } from '../../plan/registry.js';
import type { TableSchemaJson } from '../../table/schema.js';
import type { Tessera } from '../../client/tessera.js';
import { isDamagedTable, type QueryStatus } from '../../wire/api.js';
import { addConnectionOptions, connectWithFlags, type ConnectionFlags } from '../connect.js';
import { describeResult, describeTableColumns } from '../format-result.js';
import { formatCount, formatSeconds, table, type Console } from '../output.js';
import { startStepProgress } from '../progress.js';
import { addOutputOptions, checkOutputFlags, describeWritten, writeOutputFile, type OutputFlags } from '../output-file.js';
import { FILE_FORMATS, readOptionsFromFlags, type UploadReadFlags } from '../upload-options.js';
import { DEFAULT_MAX_LINE_SIZE, MAX_MAX_LINE_SIZE } from '../../client/csv-line-limit.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

export function registerDataCommands(program: Command, io: Console): void {
  addConnectionOptions(program.command('tables'))
    .description('list the tables: public metadata only (name, owner, rows, schema)')
    .option('--design', 'the tables design queries see: dummies uploaded by owners, or generated from the real tables\' schemas')
    .option('--json', 'JSON output')
    .action(async (options: ConnectionFlags & { json?: boolean; design?: boolean }) => {
      const { client } = await connectWithFlags(options);
      try {
        if (options.design) {
          const dummies = await client.designTables();
          if (options.json) return io.line(JSON.stringify(dummies));
          io.line(table([['dummy table', 'source', 'owner', 'rows'], ...dummies.map((d) => [d.name, d.source, d.owner, formatCount(d.rows), d.problem ? io.style.red(d.problem) : ''])], { header: true, style: io.style }));
          return io.line('Design queries (tessera sql --design) read only these dummy tables, never real ones.');
        }
        const tables = await client.listTables();
        if (options.json) return io.line(JSON.stringify(tables));
        if (tables.length === 0) return io.line('No tables yet. Upload one with `tessera upload NAME FILE`.');
        const rows = tables.map((t) =>
          isDamagedTable(t)
            ? [t.name, t.kind, t.owner ?? '?', io.style.red('DAMAGED'), io.style.red(`${t.damaged.file}: ${t.damaged.reason}`)]
            : [t.name, t.lineage ? 'derived' : t.kind, t.owner, formatCount(t.rows), describeTableColumns(t)],
        );
        io.line(table([['table', 'kind', 'owner', 'rows', 'columns'], ...rows], { header: true, style: io.style }));
        const derived = tables.flatMap((t) => (!isDamagedTable(t) && t.lineage ? [t] : []));
        if (derived.length > 0) {
          io.line('');
          io.line('Derived tables (stored by a query):');
          for (const t of derived) io.line(`  ${t.name}: from ${t.lineage!.inputs.join(', ')} by ${t.lineage!.createdBy} at ${t.lineage!.createdAt} (query ${t.lineage!.query}, plan ${t.lineage!.plan.slice(0, 16)}…${t.lineage!.replaced ? ', replacing an earlier one' : ''})`);
        }
        const damaged = tables.filter(isDamagedTable);
        if (damaged.length > 0) {
          io.line('');
          io.line(
            `${damaged.length === 1 ? '1 table is' : `${damaged.length} tables are`} damaged at ${damaged[0].damaged.node}: never used in a query; ` +
              'its owner deletes it with `tessera delete NAME` (through any node) and uploads it again.',
          );
        }
      } finally {
        await client.close();
      }
    });

  addConnectionOptions(program.command('delete'))
    .description("delete a table or append table at all three nodes (its owner only); also removes a copy damaged at one node")
    .argument('<name>', 'table name')
    .action(async (name: string, options: ConnectionFlags) => {
      const { client } = await connectWithFlags(options);
      try {
        await client.deleteTable(name);
        io.line(`Deleted ${io.style.bold(name)} at all three nodes.`);
      } finally {
        await client.close();
      }
    });

  addConnectionOptions(program.command('upload'))
    .description('read a CSV or Parquet file, secret-share it on this machine and upload the shares (sealed to each node)')
    .argument('<name>', 'table name: letters, digits, _ and -')
    .argument('<file>', 'CSV or Parquet file')
    .option('--column <name:type[:min:max]>', 'declare a column, e.g. age:integer:0:120, price:decimal(2):0:1000, blood:category(A|B|AB|O) (repeatable; others are inferred)', collect, [])
    .option('--schema <file>', 'a full schema JSON file instead of --column')
    .addOption(new Option('--format <format>', 'the file format, when the extension (.csv .tsv .txt .parquet .pq) does not say').choices(FILE_FORMATS))
    .option('--select <a,b,...>', 'upload only these columns (names after --rename), in this order')
    .option('--rename <old=new>', "give a file column a valid name, e.g. --rename 'Patient ID=patient_id' (repeatable)", collect, [])
    .option('--max-line-size <bytes>', `the longest CSV line accepted (default ${DEFAULT_MAX_LINE_SIZE}, at most ${MAX_MAX_LINE_SIZE})`)
    .addOption(new Option('--identifier-key <file>', "the data owners' shared identifier key, for identifier columns (from `tessera keys identifier`)").env('TESSERA_IDENTIFIER_KEY'))
    .option('--dummy', 'upload the file as the dummy of table NAME for design mode: public rows, kept apart from real tables (same schema as the real table)')
    .addHelpText('after', '\nExample:\n  tessera upload visits visits.csv --column age:integer:0:120 --cluster ./cluster --as "St. Mary Hospital"')
    .action(async (name: string, file: string, options: ConnectionFlags & UploadReadFlags & { identifierKey?: string; dummy?: boolean }) => {
      const readOptions = readOptionsFromFlags(options);
      const schema = options.schema ? await readSchema(options.schema) : undefined;
      const identifierKey = options.identifierKey !== undefined ? await loadIdentifierKey(options.identifierKey) : undefined;
      const { client, party } = await connectWithFlags(options);
      try {
        const started = performance.now();
        if (options.dummy) {
          const dummy = await client.uploadDummyTable(name, { file }, { ...readOptions, ...(schema ? { schema } : {}), ...(identifierKey ? { identifierKey } : {}) });
          io.line(`Uploaded the dummy of ${io.style.bold(dummy.name)} as ${party}: ${formatCount(dummy.rows)} rows, for design queries only (tessera sql --design)`);
          io.line('  dummy rows are public and kept apart from real tables: no production query reads them');
          return;
        }
        const info = await client.uploadTable(name, { file }, { ...readOptions, ...(schema ? { schema } : {}), ...(identifierKey ? { identifierKey } : {}) });
        io.line(`Uploaded ${io.style.bold(info.name)} as ${party}: ${formatCount(info.rows)} rows (${formatSeconds(performance.now() - started)})`);
        io.line(`  columns: ${describeTableColumns(info)}`);
        io.line('  the nodes hold random-looking shares; the schema and row count are public');
      } finally {
        await client.close();
      }
    });

  addPrivacyOptions(addConnectionOptions(program.command('query')))
    .description('run an aggregate as a job at the nodes; only the recipients (--to) can open the result')
    .addArgument(new Argument('<op>', `aggregate: ${aggregates().map((f) => `${f.name} (${f.description})`).join('; ')}`).choices(aggregateNames()))
    .argument('[column]', 'column to aggregate (count without a column counts rows)')
    .option('--tables <a,b>', 'tables to include (default: every table with the column)')
    .option('--p <fraction>', 'quantile: the fraction p in [0, 1] (up to 6 decimals), e.g. --p 0.9')
    .option('--other <column>', 'corr, covar_samp: the second column, e.g. tessera query corr age --other weight')
    .requiredOption('--to <recipient,...>', 'parties (with the output role) who may open the result')
    .option('--detach', 'print the query id as soon as the nodes admit it and return (then: tessera status ID, tessera result ID, tessera cancel ID)')
    .option('--json', 'JSON output')
    .addHelpText('after', '\nExample:\n  tessera query sum patients --to "Registry North,Registry East" --cluster ./cluster --as Analyst')
    .action(async (op: string, column: string | undefined, options: ConnectionFlags & PrivacyFlags & AggregateFlags & { tables?: string; to: string; json?: boolean; detach?: boolean }) => {
      if (findAggregate(op)?.column === 'required' && column === undefined) throw new UsageError(`${op} needs a column: tessera query ${op} COLUMN --to RECIPIENT`);
      const args = aggregateArgumentsFromFlags(op, column, options);
      const privacy = privacyFromFlags(options);
      const connected = await connectWithFlags(options);
      const { client, party } = connected;
      try {
        const recipients = list(options.to).map(connected.resolveParty);
        const tables = options.tables !== undefined ? list(options.tables) : undefined;
        const started = performance.now();
        // A bar only for jobs that take a while: short queries print their answer alone.
        const bar = options.json || options.detach ? undefined : startStepProgress(io, 'computing');
        const onProgress = (status: QueryStatus): void => {
          const job = status.job;
          if (bar && job?.step !== undefined && job.steps !== undefined && performance.now() - started > PROGRESS_AFTER_MS) bar.update(job.step, job.steps, job.operator ?? '');
        };
        const handle = await client.aggregate(op, { recipients, onProgress, ...(tables ? { tables } : {}), ...(column !== undefined ? { column } : {}), ...args, ...(privacy ? { privacy } : {}) });
        if (options.detach) {
          if (options.json) return io.line(JSON.stringify(handle.submitted));
          io.line(handle.id);
          io.line(`  ${handle.submitted.state} at the nodes; follow it with: tessera status ${handle.id} (cancel: tessera cancel ${handle.id})`);
          return;
        }
        let info;
        try {
          info = await handle.wait();
        } finally {
          bar?.stop();
        }
        const result = recipients.includes(party) ? await handle.result() : undefined;
        if (options.json) return io.line(JSON.stringify({ ...info, ...(result ? { result: jsonResult(result) } : {}) }));
        io.line(`Query ${io.style.bold(handle.id)}: ${op}(${[column ?? '*', ...(args.other !== undefined ? [args.other] : []), ...(args.p !== undefined ? [String(args.p)] : [])].join(', ')}) over ${info.tables.join(', ')} (${formatCount(info.rows)} rows${info.excluded ? `, ${formatCount(info.excluded)} excluded by the range check` : ''}, ${formatSeconds(performance.now() - started)})`);
        io.line(`  recipients: ${recipients.join(', ')}`);
        io.line(`  state: ${info.state} (every node holds its share of the result)`);
        if (result) io.line(`  ${io.style.green(describeResult(result))}`);
        else io.line(`  ${party} is not a recipient, so it cannot open the result; a recipient runs: tessera result ${handle.id} --as RECIPIENT`);
      } finally {
        await client.close();
      }
    });

  // status and cancel: one query id in, the query's state out.
  const stateCommand = (name: string, description: string, act: (client: Tessera, queryId: string) => Promise<QueryStatus>): void => {
    addConnectionOptions(program.command(name))
      .description(description)
      .argument('<query-id>', 'the id printed by `tessera query` (q-...)')
      .option('--json', 'JSON output')
      .action(async (queryId: string, options: ConnectionFlags & { json?: boolean }) => {
        const { client } = await connectWithFlags(options);
        try {
          const status = await act(client, queryId);
          io.line(options.json ? JSON.stringify(status) : describeStatus(status));
        } finally {
          await client.close();
        }
      });
  };
  stateCommand('status', "a query's state: queued, running (with its step and elapsed time), done, or failed and why", (client, id) => client.queryState(id));
  stateCommand('cancel', 'cancel a queued or running query at all three nodes (its requester only); it fails and never opens', (client, id) => client.cancel(id));

  addOutputOptions(addConnectionOptions(program.command('result')))
    .description('open the result of a query you are a recipient of (a failed query has none: it says why)')
    .argument('<query-id>', 'the id printed by `tessera query` (q-...)')
    .option('--state', "only show the query's state (running, done, or failed and why); for its requester too")
    .option('--json', 'JSON output')
    .action(async (queryId: string, options: ConnectionFlags & OutputFlags & { json?: boolean; state?: boolean }) => {
      if (options.state && options.output !== undefined) throw new UsageError('--state shows only the state: drop --output');
      await checkOutputFlags(options);
      const { client } = await connectWithFlags(options);
      try {
        if (options.state) {
          const status = await client.queryState(queryId);
          if (options.json) return io.line(JSON.stringify(status));
          return io.line(`query ${queryId}: ${status.state}${status.reason ? ` (${status.reason})` : ''}`);
        }
        const result = await client.result(queryId);
        const written = await writeOutputFile(result, options);
        if (options.json) return io.line(JSON.stringify(written ? { query: queryId, state: 'done', output: written } : { ...(jsonResult(result) as object), state: 'done' }));
        io.line(`${io.style.green(written ? describeWritten(written, result.table.columns) : describeResult(result))}  (query ${queryId}, done, ${formatCount(result.rows)} rows, shares from nodes ${result.nodes.join(', ')})`);
      } finally {
        await client.close();
      }
    });
}

/** Jobs that finish within this show no bar. */
const PROGRESS_AFTER_MS = 1_000;

/** One line: the state, and the job's step and elapsed time (or why it failed). */
function describeStatus(status: QueryStatus): string {
  const job = status.job;
  const step = job?.step !== undefined && job.steps !== undefined ? `, step ${job.step} of ${job.steps} (${job.operator ?? '?'} at ${job.path ?? '?'})` : '';
  const queued = job?.position !== undefined ? `, number ${job.position} in the queue` : '';
  const elapsed = job ? `, ${formatSeconds(job.elapsedMs)} so far` : '';
  return `query ${status.query}: ${status.state}${queued}${step}${elapsed}${status.reason && status.state === 'failed' ? ` (${status.reason})` : ''}`;
}

/** A result as JSON: bigints as decimal text. */
function jsonResult(r: object): unknown {
  return JSON.parse(JSON.stringify(r, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : typeof value === 'number' && Number.isNaN(value) ? null : value)));
}

async function readSchema(path: string): Promise<TableSchemaJson> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the schema file ${path} (${(error as NodeJS.ErrnoException).code ?? 'I/O error'})`);
  }
  try {
    return JSON.parse(text) as TableSchemaJson;
  } catch {
    throw new UsageError(`${path} is not valid JSON; a schema looks like { "version": 1, "columns": [ { "name": "age", "nullable": false, "type": "integer", "min": "0", "max": "120" } ] }`);
  }
}
