/**
 * Instantiating the protocols' WebAssembly kernels (wasm/*.c, compiled by
 * scripts/inner-terms-wasm.mjs into *-wasm.ts as base64): each module gets a linear memory of
 * its own, used synchronously (no await between filling it and reading it back), so concurrent
 * sessions of one process never share it mid-computation.
 *
 * A memory is never grown: a larger need gets a fresh memory and instance. Growing detaches the
 * memory's previous ArrayBuffer, and the first detach in a process invalidates V8's
 * ArrayBufferDetaching protector, which deoptimizes at once every optimized function that
 * touches a typed array (the start-up warm-up's kernels among them, so a node's first filter
 * compiled them again) and makes all later typed-array code check for detached buffers
 * (docs/benchmarks.md "s9-firstquery"). Sizes are rounded up to a power of two pages, so a
 * process makes a handful of instances of a module in its life.
 */

/** The few WebAssembly JS-API members used here (the project's TypeScript libraries do not declare them). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Table: new (descriptor: { initial: number; element: 'anyfunc' }) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE_BYTES = 65_536;

/**
 * A function giving the module's kernel (`bind` applied to an instance's exports) on a memory of
 * at least `bytes`: the last one while it is large enough, else a fresh instance (the module
 * compiled once). Views of an earlier memory stay valid but belong to that instance: make views
 * of `memory` after this call.
 */
export function sizedKernels<K extends object>(base64: string, bind: (exports: Record<string, unknown>) => K): (bytes: number) => K & { readonly memory: WasmMemory } {
  let compiled: object | undefined;
  let current: (K & { readonly memory: WasmMemory }) | undefined;
  return (bytes: number) => {
    if (current && current.memory.buffer.byteLength >= bytes) return current;
    compiled ??= compileModule(base64);
    const { exports, memory } = instanceOn(compiled, 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(bytes / PAGE_BYTES)))));
    current = { ...bind(exports), memory };
    return current;
  };
}

/** A module's bytes (base64, as the generated *-wasm.ts files hold them) compiled. */
export function compileModule(base64: string): object {
  return new wasm.Module(Buffer.from(base64, 'base64'));
}

/** An instance of a compiled module on a memory of its own of `pages` 64 KiB pages (never grown). */
export function instanceOn(compiled: object, pages: number): { readonly exports: Record<string, unknown>; readonly memory: WasmMemory } {
  const memory = new wasm.Memory({ initial: pages });
  const table = new wasm.Table({ initial: 0, element: 'anyfunc' });
  const exports = new wasm.Instance(compiled, { env: { __linear_memory: memory, __indirect_function_table: table } }).exports;
  return { exports, memory };
}
