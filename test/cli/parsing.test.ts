/** The CLI's small parsers and its output conventions. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parseColumnSpec } from '../../src/cli/column-spec.js';
import { parsePartySpec, partySlug } from '../../src/cli/cluster/parties.js';
import { exitCodeFor } from '../../src/cli/errors.js';
import { colorsWanted } from '../../src/cli/output.js';
import { parseMaxLineSize, parseRenames, parseSelect, readOptionsFromFlags } from '../../src/cli/upload-options.js';
import { CLI, runInProcess } from '../helpers/cli.js';
import { NodeUnavailableError, QueryError, UsageError } from '../../src/errors.js';

test('party specifications', () => {
  assert.deepEqual(parsePartySpec('City Clinic:input,output'), { name: 'City Clinic', roles: ['input', 'output'] });
  assert.deepEqual(parsePartySpec('Lab: A:analyst'), { name: 'Lab: A', roles: ['analyst'] });
  assert.throws(() => parsePartySpec('Lab:cook'), /unknown role 'cook'/);
  assert.throws(() => parsePartySpec('Lab:input,input'), /twice/);
  assert.throws(() => parsePartySpec(':input'), UsageError);
  assert.equal(partySlug('St. Mary Hospital'), 'st-mary-hospital');
  assert.equal(partySlug('Ärzte Zürich'), 'arzte-zurich');
  assert.equal(partySlug('***'), 'party');
});

test('column declarations', () => {
  assert.deepEqual(parseColumnSpec('age:integer:0:120'), ['age', { type: 'integer', min: '0', max: '120' }]);
  assert.deepEqual(parseColumnSpec('price:decimal(2):0:1000'), ['price', { type: 'decimal', scale: 2, min: '0', max: '1000' }]);
  assert.deepEqual(parseColumnSpec('blood:category(A|B|AB|O)?'), ['blood', { type: 'category', nullable: true, dictionary: ['A', 'B', 'AB', 'O'] }]);
  assert.deepEqual(parseColumnSpec('day:date:2020-01-01:2030-12-31'), ['day', { type: 'date', min: '2020-01-01', max: '2030-12-31' }]);
  assert.throws(() => parseColumnSpec('price:decimal'), /scale/);
  assert.throws(() => parseColumnSpec('x:float'), /unknown type 'float'/);
  assert.throws(() => parseColumnSpec('x:boolean:0:1'), /only integer, decimal and date/);
  assert.throws(() => parseColumnSpec('age'), /NAME:TYPE/);
});

test('upload flags become the read options the SDK takes', () => {
  const none = { column: [], rename: [] };
  assert.deepEqual(readOptionsFromFlags(none), { columns: {} });
  assert.deepEqual(
    readOptionsFromFlags({ column: ['age:integer:0:120'], format: 'csv', select: 'age, visits', rename: ['Patient ID=patient', 'a=b=c', '=unnamed'], maxLineSize: '5000000' }),
    { columns: { age: { type: 'integer', min: '0', max: '120' } }, format: 'csv', select: ['age', 'visits'], rename: { 'Patient ID': 'patient', 'a=b': 'c', '': 'unnamed' }, maxLineSize: 5_000_000 },
  );
  assert.deepEqual(readOptionsFromFlags({ ...none, schema: 's.json', rename: ['x=y'] }), { rename: { x: 'y' } });
  assert.throws(() => readOptionsFromFlags({ ...none, schema: 's.json', column: ['a:integer'] }), /either --schema or --column/);
  assert.throws(() => readOptionsFromFlags({ ...none, schema: 's.json', select: 'a' }), /either --schema or --select/);
  assert.throws(() => parseRenames(['no-equals']), /must be OLD=new/);
  assert.throws(() => parseRenames(['a=']), /must be OLD=new/);
  assert.throws(() => parseRenames(['a=b', 'a=c']), /twice/);
  assert.throws(() => parseSelect('a,,b'), /separated by commas/);
  for (const bad of ['0', '-1', '1.5', '2e6', '1073741825', 'lots']) assert.throws(() => parseMaxLineSize(bad), /from 1 to 1073741824/);
  assert.equal(parseMaxLineSize('1073741824'), 2 ** 30);
});

test('upload --help lists the options that reading errors advise', async () => {
  const help = await runInProcess(['upload', '--help']);
  assert.equal(help.code, 0);
  for (const option of ['--format <format>', '--select <a,b,...>', '--rename <old=new>', '--max-line-size <bytes>']) assert.ok(help.stdout.includes(option), `${option} missing:\n${help.stdout}`);
  assert.match(help.stdout, /choices:\s+"csv",\s+"parquet"/);
  const badFormat = await runInProcess(['upload', 't', 'f.dat', '--format', 'xlsx']);
  assert.equal(badFormat.code, 2);
  assert.match(badFormat.stderr, /Allowed choices are csv, parquet/);
});

test('output closed early (tessera ... | head -1): a quiet, successful exit, no EPIPE stack trace', async () => {
  for (const args of [['--help'], ['upload', '--help']]) {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first write
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    assert.equal(stderr, '');
    assert.deepEqual({ code, signal }, { code: 0, signal: null });
  }
});

test('exit codes by kind of failure', () => {
  assert.equal(exitCodeFor(new UsageError('x')), 2);
  assert.equal(exitCodeFor(new NodeUnavailableError('x')), 3);
  assert.equal(exitCodeFor(new QueryError('x')), 1);
  assert.equal(exitCodeFor(new Error('x')), 1);
});

test('colours only on a terminal that wants them', () => {
  const tty = Object.assign(new PassThrough(), { isTTY: true });
  const pipe = new PassThrough();
  assert.equal(colorsWanted(tty, {}), true);
  assert.equal(colorsWanted(tty, { NO_COLOR: '1' }), false);
  assert.equal(colorsWanted(tty, { TERM: 'dumb' }), false);
  assert.equal(colorsWanted(pipe, {}), false);
  assert.equal(colorsWanted(pipe, { FORCE_COLOR: '1' }), true);
  assert.equal(colorsWanted(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }), false);
});

test('sql --join-max-rows: a whole number, and only with a JOIN (refused before connecting)', async () => {
  const noJoin = await runInProcess(['sql', 'SELECT count(*) AS n FROM visits', '--to', 'X', '--join-max-rows', '10']);
  assert.equal(noJoin.code, 2, noJoin.stderr);
  assert.match(noJoin.stderr, /has no JOIN: leave it out/);
  const notANumber = await runInProcess(['sql', 'SELECT count(*) AS n FROM a JOIN b ON a.x = b.x', '--to', 'X', '--join-max-rows', 'many']);
  assert.equal(notANumber.code, 2, notANumber.stderr);
  assert.match(notANumber.stderr, /--join-max-rows takes a whole number of rows/);
});
