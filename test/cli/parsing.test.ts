/** The CLI's small parsers and its output conventions. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { parseColumnSpec } from '../../src/cli/column-spec.js';
import { parsePartySpec, partySlug } from '../../src/cli/cluster/parties.js';
import { exitCodeFor } from '../../src/cli/errors.js';
import { colorsWanted } from '../../src/cli/output.js';
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
