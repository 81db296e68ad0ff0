/**
 * Copies `n` bytes of `source` from `from` into `target` at `at`.
 *
 * A protocol round's message is a few bytes, and for those a plain loop is cheaper than
 * `TypedArray.prototype.set` with a view of the source (a view of a node Buffer is a Buffer,
 * whose construction alone costs more than copying 64 bytes). Longer copies use `set`.
 */

const LOOP_COPY_MAX = 64;

export function copyBytes(target: Uint8Array, at: number, source: Uint8Array, from: number, n: number): void {
  if (n <= LOOP_COPY_MAX) {
    for (let i = 0; i < n; i++) target[at + i] = source[from + i];
  } else {
    // A plain Uint8Array view, never Buffer's own subarray.
    target.set(from === 0 && n === source.byteLength ? source : new Uint8Array(source.buffer, source.byteOffset + from, n), at);
  }
}
