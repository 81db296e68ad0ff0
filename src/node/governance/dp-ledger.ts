/**
 * A node's record of the differential-privacy charges it admitted (docs/governance.md,
 * "Differential-privacy budgets"): per query, the tables it reads, the mechanism and what it
 * spends. Written durably before the query computes, so it survives restarts:
 *
 *   <dataDir>/governance/dp-ledger.json   { "charges": [ { query, tables, mechanism, amount, at } ] }
 *
 * A charge counts against a table's budget unless its query failed: counted from admission on,
 * for good once committed, refunded once failed (the coordinator's decision, which every node
 * learns). Amounts add up exactly: each is a double, i.e. a dyadic rational, summed as an integer
 * multiple of 2^-1074, so 0.1 + 0.2 spends exactly what was asked and a budget of 1 takes two
 * charges of 0.5 and not a third.
 */

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/durable-file.js';
import { FormatError } from '../../errors.js';
import { rationalOf } from '../../privacy/exact-real.js';

export interface DpCharge {
  readonly query: string;
  readonly tables: readonly string[];
  readonly mechanism: 'laplace' | 'gaussian';
  readonly amount: number;
  readonly at: string;
}

/** Doubles are multiples of 2^-1074: scaled by 2^1074 they are exact integers. */
const SCALE_BITS = 1074n;

/** An amount as an exact integer multiple of 2^-1074. */
export function exactAmount(x: number): bigint {
  const { numerator, denominator } = rationalOf(x);
  return (numerator << SCALE_BITS) / denominator; // the denominator is a power of two ≤ 2^1074: exact
}

export class DpLedger {
  private constructor(
    private readonly path: string,
    private charges: DpCharge[],
  ) {}

  static async open(dataDir: string): Promise<DpLedger> {
    const dir = join(dataDir, 'governance');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'dp-ledger.json');
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (text === undefined) return new DpLedger(path, []);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new FormatError(`${path} is not JSON: the node cannot know what its tables' privacy budgets have spent; restore it from a backup`);
    }
    const charges = (parsed as { charges?: unknown }).charges;
    if (!Array.isArray(charges)) throw new FormatError(`${path} has no "charges" list`);
    return new DpLedger(path, charges as DpCharge[]);
  }

  /** The charges that read `table`, in admission order. */
  chargesOf(table: string): readonly DpCharge[] {
    return this.charges.filter((c) => c.tables.includes(table));
  }

  /** Records a charge durably (call under the budget lock, after deciding it fits). */
  async add(charge: DpCharge): Promise<void> {
    const next = [...this.charges, charge];
    await writeFileAtomic(this.path, Buffer.from(JSON.stringify({ charges: next }, null, 1)));
    this.charges = next;
  }
}
