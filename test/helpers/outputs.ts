/**
 * Opening the masked outputs of three parties' executions in a test: every value of every result
 * column rebuilt from all three parties' components (cross-checked) and from the last two alone.
 */

import assert from 'node:assert/strict';
import type { PartyId } from '../../src/mpc/party.js';
import { reconstructValue } from '../../src/mpc/sharing.js';
import type { Outputs } from '../../src/secret/outputs.js';

/** Each result column's values as signed integers, by name. */
export function openOutputs(runs: readonly { readonly outputs: Outputs }[]): Map<string, bigint[]> {
  const first = runs[0].outputs;
  const out = new Map<string, bigint[]>();
  first.columns.forEach((column, k) => {
    const values: bigint[] = [];
    for (let row = 0; row < first.rows; row++) {
      const reports = runs.map((r, p) => ({ party: p as PartyId, a: r.outputs.columns[k].a[row], b: r.outputs.columns[k].b[row] }));
      const all = reconstructValue(reports, column.name);
      assert.equal(reconstructValue(reports.slice(1), column.name), all, `any two parties open the same ${column.name}`);
      values.push(BigInt.asIntN(64, all));
    }
    out.set(column.name, values);
  });
  return out;
}
