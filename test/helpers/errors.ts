import assert from 'node:assert/strict';
import { TesseraError } from '../../src/errors.js';

/** Asserts a typed error whose message does not reveal `secret` (the offending value). */
export function assertSafeError(error: unknown, errorClass: abstract new (...args: never[]) => TesseraError, secret?: string, includes?: string): void {
  assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${String(error)}`);
  if (secret !== undefined && secret !== '') assert.ok(!error.message.includes(secret), `message reveals the value: ${error.message}`);
  if (includes !== undefined) assert.ok(error.message.includes(includes), `message lacks '${includes}': ${error.message}`);
}

export function catchSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

export async function catchAsync(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}
