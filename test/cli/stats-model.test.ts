/**
 * The shared tail of `tessera stats ols|logit|cox` (cli/commands/stats-model.ts): --explain
 * prints the nodes' account and what the fit reveals; a party that is not a recipient is refused
 * before anything opens (it could not finish the fit); a recipient prints the summary, the
 * command's notes and the plan line, or the JSON without the printer.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { explainOrOpenModel, type ModelCommand } from '../../src/cli/commands/stats-model.js';
import { makeConsole } from '../../src/cli/output.js';
import { UsageError } from '../../src/errors.js';

interface Fit {
  text(): string;
  readonly plan: string;
  readonly query: string;
  readonly empty: string[];
}

function fake(): { model: ModelCommand<Fit>; opened: { to: string[]; level?: number }[] } {
  const opened: { to: string[]; level?: number }[] = [];
  const model: ModelCommand<Fit> = {
    explain: async () => ({ planHash: 'p1', node: 'n1', tables: [], outputs: [], recipients: ['R'], disclosures: [], cost: { rounds: 3, bytesPerParty: 10 }, reveals: 'the Gram sums' }),
    open: async (options) => {
      opened.push(options);
      return { text: () => 'SUMMARY', plan: 'p1', query: 'q1', empty: ['x'] };
    },
  };
  return { model, opened };
}

function output(): { io: ReturnType<typeof makeConsole>; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { io: makeConsole(out, new PassThrough()), text: () => text };
}

test('explain prints the account and what the fit reveals, and opens nothing', async () => {
  const { model, opened } = fake();
  const { io, text } = output();
  await explainOrOpenModel(io, { explain: true }, { party: 'A' }, ['R'], undefined, model, { fit: 'the fit', from: 'the opened sums', label: 'the regression' });
  assert.match(text(), /the regression: the Gram sums/);
  assert.equal(opened.length, 0);
});

test('a party that is not among the recipients is refused before anything opens', async () => {
  const { model, opened } = fake();
  const { io } = output();
  await assert.rejects(explainOrOpenModel(io, {}, { party: 'A' }, ['R'], undefined, model, { fit: 'the fits', from: 'the opened state' }), (e: unknown) => e instanceof UsageError && /the fits are computed by a recipient from the opened state, and A is not among --to/.test(e.message));
  assert.equal(opened.length, 0);
});

test('a recipient prints the summary, the notes and the plan line; --json drops the printer', async () => {
  const { model, opened } = fake();
  const plain = output();
  await explainOrOpenModel(plain.io, {}, { party: 'R' }, ['R'], 0.9, model, { fit: 'the fit', from: 'the opened sums', notes: (f) => [`left out (no rows): ${f.empty.join(', ')}`] });
  assert.equal(plain.text(), 'SUMMARY\nleft out (no rows): x\nplan p1, query q1\n');
  assert.deepEqual(opened[0], { to: ['R'], level: 0.9 });
  const json = output();
  await explainOrOpenModel(json.io, { json: true }, { party: 'R' }, ['R'], undefined, model, { fit: 'the fit', from: 'the opened sums' });
  assert.deepEqual(JSON.parse(json.text()), { plan: 'p1', query: 'q1', empty: ['x'] });
  assert.deepEqual(opened[1], { to: ['R'] });
});
