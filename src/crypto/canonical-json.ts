/**
 * Canonical JSON (RFC 8785, JSON Canonicalization Scheme): one byte string per JSON value, so
 * that plans, scripts, statements and configuration files can be hashed and signed. The
 * serialisation itself is the `canonicalize` package (by the RFC's authors); this module first
 * checks that the value is plain JSON, because `canonicalize`, like JSON.stringify, would
 * silently drop `undefined` fields, turn typed arrays into objects and call `toJSON` methods —
 * a signature must cover exactly what the caller meant.
 */

import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { UsageError } from '../errors.js';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Types for the package's CommonJS default export (its bundled typings describe an ES module). */
const serialize = canonicalize as unknown as (input: unknown) => string | undefined;

/** RFC 8785 text of a plain JSON value; throws UsageError for anything that is not plain JSON. */
export function canonicalJson(value: unknown): string {
  assertPlainJson(value, '$');
  const text = serialize(value);
  if (text === undefined) throw new UsageError('value has no JSON representation');
  return text;
}

/**
 * RFC 8785 text of a flat object whose values are strings, finite numbers or booleans (an
 * envelope context), without the general serialiser, which costs several microseconds and runs
 * for every envelope: members sorted by key in UTF-16 code-unit order, keys and values written
 * by JSON.stringify, which is how RFC 8785 writes strings, finite numbers and literals. Anything
 * else goes to canonicalJson. A test checks both agree.
 */
export function canonicalFlatJson(value: Readonly<Record<string, unknown>>): string {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return canonicalJson(value);
  const keys = Object.keys(value).sort();
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    const v = value[keys[i]];
    if (!(typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) return canonicalJson(value);
    text += `${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:${JSON.stringify(v)}`;
  }
  return `${text}}`;
}

/** UTF-8 bytes of the canonical JSON text. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/** SHA-256 (hex) of the canonical JSON bytes: the identity of a plan, script or file. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJsonBytes(value)).digest('hex');
}

/** Parses JSON text and checks that it already is in canonical form (one encoding per value). */
export function parseCanonicalJson(text: string): JsonValue {
  const value = JSON.parse(text) as JsonValue;
  if (canonicalJson(value) !== text) throw new UsageError('JSON text is not in canonical (RFC 8785) form');
  return value;
}

function assertPlainJson(value: unknown, path: string): asserts value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new UsageError(`${path}: ${value} is not a JSON number`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlainJson(item, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new UsageError(`${path}: only plain objects can be canonical JSON (found ${value.constructor?.name ?? 'an object'})`);
    }
    for (const [key, item] of Object.entries(value)) assertPlainJson(item, `${path}.${key}`);
    return;
  }
  throw new UsageError(`${path}: a ${typeof value} is not JSON`);
}
