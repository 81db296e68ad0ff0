/**
 * Binary circuits on shared bit planes, evaluated with one network round per AND layer.
 *
 * A circuit is built from wires (shared planes: one bit per element, packed 64 to a word, see
 * ring/planes.ts) with free XOR/NOT and AND gates that cost one bit per gate per element and
 * party. `evaluate` schedules every AND gate at its AND-depth and sends all gates of one depth
 * in a single round (ABY3-style AND on replicated binary shares, protocols/binary.ts), so a
 * circuit of depth D costs D rounds whatever its width. Gates with a public constant operand
 * are folded away when the circuit is built. XOR/NOT never branch on data; AND gates are the
 * only communication.
 */

import { UsageError } from '../../../errors.js';
import { clearTail, wordsFor } from '../../../ring/bits.js';
import type { Session } from '../../session.js';
import { BitShare } from '../../shares.js';
import { andWords } from '../binary.js';
import { invertKernel, xorKernel } from '../kernels.js';

/** A wire of a circuit (opaque handle). */
export interface Wire {
  readonly id: number;
}

type Node =
  | { readonly kind: 'input'; readonly value: BitShare }
  | { readonly kind: 'const'; readonly bit: 0 | 1 }
  | { readonly kind: 'xor'; readonly x: number; readonly y: number }
  | { readonly kind: 'not'; readonly x: number }
  | { readonly kind: 'and'; readonly x: number; readonly y: number };

const ONES = 0xffffffffffffffffn;

export class BitCircuit {
  private readonly nodes: Node[] = [];
  /** AND-depth of each wire, known at construction (wires are created in topological order). */
  private readonly depths: number[] = [];
  readonly zero: Wire;
  readonly one: Wire;
  readonly words: number;

  /** A circuit over planes of `length` bits (elements). */
  constructor(readonly length: number) {
    this.words = wordsFor(length);
    this.zero = this.push({ kind: 'const', bit: 0 }, 0);
    this.one = this.push({ kind: 'const', bit: 1 }, 0);
  }

  private push(node: Node, depth: number): Wire {
    this.nodes.push(node);
    this.depths.push(depth);
    return { id: this.nodes.length - 1 };
  }

  private constOf(w: Wire): 0 | 1 | undefined {
    const node = this.nodes[w.id];
    return node.kind === 'const' ? node.bit : undefined;
  }

  depthOf(w: Wire): number {
    return this.depths[w.id];
  }

  input(value: BitShare): Wire {
    if (value.length !== this.length) throw new UsageError(`circuit over ${this.length} elements got a plane of ${value.length}`);
    return this.push({ kind: 'input', value }, 0);
  }

  xor(x: Wire, y: Wire): Wire {
    const cx = this.constOf(x), cy = this.constOf(y);
    if (cx !== undefined && cy !== undefined) return cx === cy ? this.zero : this.one;
    if (cx === 0) return y;
    if (cy === 0) return x;
    if (cx === 1) return this.not(y);
    if (cy === 1) return this.not(x);
    if (x.id === y.id) return this.zero;
    return this.push({ kind: 'xor', x: x.id, y: y.id }, Math.max(this.depths[x.id], this.depths[y.id]));
  }

  not(x: Wire): Wire {
    const node = this.nodes[x.id];
    if (node.kind === 'const') return node.bit ? this.zero : this.one;
    if (node.kind === 'not') return { id: node.x };
    return this.push({ kind: 'not', x: x.id }, this.depths[x.id]);
  }

  and(x: Wire, y: Wire): Wire {
    const cx = this.constOf(x), cy = this.constOf(y);
    if (cx === 0 || cy === 0) return this.zero;
    if (cx === 1) return y;
    if (cy === 1) return x;
    if (x.id === y.id) return x;
    return this.push({ kind: 'and', x: x.id, y: y.id }, Math.max(this.depths[x.id], this.depths[y.id]) + 1);
  }

  or(x: Wire, y: Wire): Wire {
    const cx = this.constOf(x), cy = this.constOf(y);
    if (cx === 1 || cy === 1) return this.one;
    if (cx === 0) return y;
    if (cy === 0) return x;
    return this.xor(this.xor(x, y), this.and(x, y));
  }

  /** c ? a : b, with one AND gate. */
  mux(c: Wire, a: Wire, b: Wire): Wire {
    return this.xor(b, this.and(c, this.xor(a, b)));
  }

  /** AND of all wires as a tree that always joins the two shallowest wires (least depth). */
  andAll(wires: readonly Wire[]): Wire {
    return this.reduce(wires, (x, y) => this.and(x, y), this.one);
  }

  orAll(wires: readonly Wire[]): Wire {
    return this.reduce(wires, (x, y) => this.or(x, y), this.zero);
  }

  private reduce(wires: readonly Wire[], join: (x: Wire, y: Wire) => Wire, empty: Wire): Wire {
    if (wires.length === 0) return empty;
    const queue = [...wires];
    while (queue.length > 1) {
      queue.sort((p, q) => this.depths[p.id] - this.depths[q.id]);
      const x = queue.shift()!, y = queue.shift()!;
      queue.push(join(x, y));
    }
    return queue[0];
  }

  /** Number of AND gates and AND-depth needed for `outputs` (for cost statements and tests). */
  cost(outputs: readonly Wire[]): { gates: number; depth: number } {
    const needed = this.mark(outputs);
    let gates = 0, depth = 0;
    for (let id = 0; id < this.nodes.length; id++) {
      if (!needed[id]) continue;
      if (this.nodes[id].kind === 'and') gates++;
      depth = Math.max(depth, this.depths[id]);
    }
    return { gates, depth };
  }

  private mark(outputs: readonly Wire[]): Uint8Array {
    const needed = new Uint8Array(this.nodes.length);
    for (const w of outputs) needed[w.id] = 1;
    for (let id = this.nodes.length - 1; id >= 0; id--) {
      if (!needed[id]) continue;
      const node = this.nodes[id];
      if (node.kind === 'xor' || node.kind === 'and') {
        needed[node.x] = 1;
        needed[node.y] = 1;
      } else if (node.kind === 'not') {
        needed[node.x] = 1;
      }
    }
    return needed;
  }

  /**
   * Evaluates the outputs. Rounds: the largest AND-depth among them; bytes per party: one bit per
   * AND gate per element (rounded up to whole 64-element words). XOR/NOT wires are computed when
   * an AND layer (or the output) first needs them, into recycled buffers, so the memory in use
   * stays near one layer's worth.
   */
  async evaluate(s: Session, outputs: readonly Wire[]): Promise<BitShare[]> {
    const needed = this.mark(outputs);
    const uses = new Int32Array(this.nodes.length);
    for (let id = 0; id < this.nodes.length; id++) {
      if (!needed[id]) continue;
      const node = this.nodes[id];
      if (node.kind === 'xor' || node.kind === 'and') {
        uses[node.x]++;
        uses[node.y]++;
      } else if (node.kind === 'not') {
        uses[node.x]++;
      }
    }
    for (const w of outputs) uses[w.id]++;
    const maxDepth = outputs.reduce((d, w) => Math.max(d, this.depths[w.id]), 0);
    const layers: number[][] = Array.from({ length: maxDepth + 1 }, () => []);
    for (let id = 0; id < this.nodes.length; id++) if (needed[id] && this.nodes[id].kind === 'and') layers[this.depths[id]].push(id);
    const state = new Evaluation(s, this.nodes, uses, this.words, this.length);
    for (const layer of layers) if (layer.length > 0) await this.andLayer(s, layer, state);
    return outputs.map((w) => {
      const v = state.get(w.id);
      const out = new BitShare(v.a.slice(), v.b.slice(), this.length);
      clearTail(out.a, this.length);
      clearTail(out.b, this.length);
      return out;
    });
  }

  /** All AND gates of one depth in one round: operands concatenated, results sliced as views. */
  private async andLayer(s: Session, gates: number[], state: Evaluation): Promise<void> {
    const W = this.words, k = gates.length;
    const scratch = s.party.scratch.take(4 * k * W);
    try {
      const xa = scratch.subarray(0, k * W), xb = scratch.subarray(k * W, 2 * k * W);
      const ya = scratch.subarray(2 * k * W, 3 * k * W), yb = scratch.subarray(3 * k * W, 4 * k * W);
      gates.forEach((id, g) => {
        const node = this.nodes[id] as { x: number; y: number };
        const x = state.get(node.x), y = state.get(node.y);
        xa.set(x.a, g * W);
        xb.set(x.b, g * W);
        ya.set(y.a, g * W);
        yb.set(y.b, g * W);
        state.release(node.x);
        state.release(node.y);
      });
      const [za, zb] = await andWords(s, xa, xb, ya, yb);
      gates.forEach((id, g) => state.set(id, new BitShare(za.subarray(g * W, (g + 1) * W), zb.subarray(g * W, (g + 1) * W), this.length)));
    } finally {
      s.party.scratch.give(scratch);
    }
  }
}

/** Values of one evaluation: lazily computed local wires in recycled buffers. */
class Evaluation {
  private readonly values: (BitShare | undefined)[];
  private readonly pooled: Uint8Array;
  private readonly free: BigUint64Array[] = [];

  constructor(
    private readonly s: Session,
    private readonly nodes: readonly Node[],
    private readonly uses: Int32Array,
    private readonly W: number,
    private readonly length: number,
  ) {
    this.values = new Array(nodes.length);
    this.pooled = new Uint8Array(nodes.length);
  }

  set(id: number, value: BitShare): void {
    this.values[id] = value;
  }

  release(id: number): void {
    if (--this.uses[id] !== 0) return;
    const v = this.values[id];
    if (v && this.pooled[id]) this.free.push(v.a, v.b);
    this.values[id] = undefined;
  }

  private buffer(): BigUint64Array {
    return this.free.pop() ?? new BigUint64Array(this.W);
  }

  /** The value of a wire, computing XOR/NOT/constant wires on first use. */
  get(id: number): BitShare {
    const known = this.values[id];
    if (known) return known;
    const node = this.nodes[id];
    let value: BitShare;
    switch (node.kind) {
      case 'input':
        value = node.value;
        break;
      case 'const': {
        // A public constant lives in component 0: party 0's a and party 2's b.
        const a = this.buffer().fill(0n), b = this.buffer().fill(0n);
        if (node.bit === 1 && this.s.me === 0) a.fill(ONES);
        else if (node.bit === 1 && this.s.me === 2) b.fill(ONES);
        value = new BitShare(a, b, this.length);
        this.pooled[id] = 1;
        break;
      }
      case 'xor': {
        const x = this.get(node.x), y = this.get(node.y);
        const a = this.buffer(), b = this.buffer();
        xorKernel(a, x.a, y.a);
        xorKernel(b, x.b, y.b);
        this.release(node.x);
        this.release(node.y);
        value = new BitShare(a, b, this.length);
        this.pooled[id] = 1;
        break;
      }
      case 'not': {
        const x = this.get(node.x);
        const a = this.buffer(), b = this.buffer();
        // A public constant (here 1) lives in component 0: party 0's a and party 2's b.
        if (this.s.me === 0) invertKernel(a, x.a);
        else a.set(x.a);
        if (this.s.me === 2) invertKernel(b, x.b);
        else b.set(x.b);
        this.release(node.x);
        value = new BitShare(a, b, this.length);
        this.pooled[id] = 1;
        break;
      }
      case 'and':
        throw new Error('an AND gate was read before its layer was evaluated');
    }
    this.values[id] = value;
    return value;
  }
}
