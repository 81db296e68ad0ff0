/**
 * Evaluates circuits of value expressions (plan/expr-circuit.ts) on a secret table, step by step
 * as plan time scheduled them: per step, every multiplication in one batched mul, truncations in
 * one batch per bit count, every less-than in one batched lt and every equality in one eq, their
 * bits injected to 0/1 together. Linear gates are local. No branch depends on a secret: the
 * schedule is a function of the plan only, the same at every node.
 */

import { mul } from '../mpc/protocols/arith.js';
import { eq, lt } from '../mpc/protocols/compare.js';
import { injectBits } from '../mpc/protocols/inject.js';
import { trunc } from '../mpc/protocols/trunc.js';
import type { Session } from '../mpc/session.js';
import { addA, AShare, concatA, scaleA, sliceBits, splitA, type BitShare } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import type { CommGate, Gate, Step } from '../plan/expr-circuit.js';
import { columnWord } from '../secret/column-vectors.js';
import type { SecretTable } from '../secret/secret-table.js';

export class CircuitValues {
  private readonly known = new Map<Gate, AShare>();

  constructor(
    private readonly s: Session,
    private readonly table: SecretTable,
  ) {}

  /** A gate's shares: columns, constants and linear gates computed here, the others from their step. */
  get(g: Gate): AShare {
    const have = this.known.get(g);
    if (have) return have;
    const n = this.table.rows;
    let v: AShare;
    switch (g.op) {
      case 'column':
        v = columnWord(this.table.column(g.name), g.word ?? 0);
        break;
      case 'present': {
        const p = this.table.column(g.name).present;
        if (!p) throw new RangeError(`column '${g.name}' has no present bits`);
        v = p;
        break;
      }
      case 'const':
        v = publicA(this.s.me, new BigUint64Array(n).fill(BigInt.asUintN(64, g.value)));
        break;
      case 'linear': {
        v = AShare.zeros(n);
        for (const [h, k] of g.terms) v = addA(v, k === 1n ? this.get(h) : scaleA(this.get(h), k));
        if (g.constant !== 0n) v = addConstA(this.s.me, v, g.constant);
        break;
      }
      default:
        throw new RangeError(`gate '${g.op}' was not evaluated before use: the schedule is out of order`);
    }
    this.known.set(g, v);
    return v;
  }

  /** Runs the steps in order. */
  async run(steps: readonly Step[]): Promise<void> {
    if (this.table.rows === 0) {
      for (const st of steps) for (const g of [...st.mul, ...st.trunc, ...st.lt, ...st.eq]) this.known.set(g, AShare.zeros(0));
      return;
    }
    // Batches run one after the other: a session's messages are matched by order.
    for (const st of steps) {
      if (st.mul.length > 0) {
        const xs = st.mul.map((g) => this.get((g as { x: Gate }).x)), ys = st.mul.map((g) => this.get((g as { y: Gate }).y));
        this.store(st.mul, splitA(await mul(this.s, concatA(xs), concatA(ys)), xs.map((x) => x.length)));
      }
      for (const bits of [...new Set(st.trunc.map((g) => (g as { bits: number }).bits))]) {
        const gates = st.trunc.filter((g) => (g as { bits: number }).bits === bits);
        const xs = gates.map((g) => this.get((g as { x: Gate }).x));
        this.store(gates, splitA(await trunc(this.s, concatA(xs), bits), xs.map((x) => x.length)));
      }
      const compared: CommGate[] = [];
      const slices: BitShare[] = [];
      for (const [kind, gates] of [['lt', st.lt], ['eq', st.eq]] as const) {
        if (gates.length === 0) continue;
        const xs = concatA(gates.map((g) => this.get((g as { x: Gate }).x))), ys = concatA(gates.map((g) => this.get((g as { y: Gate }).y)));
        const bits = kind === 'lt' ? await lt(this.s, xs, ys) : await eq(this.s, xs, ys);
        const n = this.table.rows;
        gates.forEach((g, k) => {
          compared.push(g);
          slices.push(sliceBits(bits, k * n, n));
        });
      }
      if (compared.length > 0) this.store(compared, await injectBits(this.s, slices));
    }
  }

  private store(gates: readonly Gate[], values: readonly AShare[]): void {
    gates.forEach((g, k) => this.known.set(g, values[k]));
  }
}

/** The values of `outputs` after running `steps` (which plan time computed from them). */
export async function evaluateCircuit(s: Session, table: SecretTable, steps: readonly Step[], outputs: readonly Gate[]): Promise<AShare[]> {
  const values = new CircuitValues(s, table);
  await values.run(steps);
  return outputs.map((g) => values.get(g));
}
