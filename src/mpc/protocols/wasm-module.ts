/**
 * Instantiating the protocols' WebAssembly kernels (wasm/*.c, compiled by
 * scripts/inner-terms-wasm.mjs into *-wasm.ts as base64): each module gets a linear memory of
 * its own, grown to fit and used synchronously (no await between filling it and reading it back),
 * so concurrent sessions of one process never share it mid-computation.
 */

/** The few WebAssembly JS-API members used here (the project's TypeScript libraries do not declare them). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Table: new (descriptor: { initial: number; element: 'anyfunc' }) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE_BYTES = 65_536;

/** A module's exports and its memory (which `reserve` grows). */
export function instantiate(base64: string): { readonly memory: WasmMemory; readonly exports: Record<string, unknown> } {
  const memory = new wasm.Memory({ initial: 1 });
  const module = new wasm.Module(Buffer.from(base64, 'base64'));
  const table = new wasm.Table({ initial: 0, element: 'anyfunc' });
  const exports = new wasm.Instance(module, { env: { __linear_memory: memory, __indirect_function_table: table } }).exports;
  return { memory, exports };
}

/** Grows `memory` to at least `bytes`. Growing detaches earlier views: make them after this. */
export function reserve(memory: WasmMemory, bytes: number): void {
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE_BYTES));
}
