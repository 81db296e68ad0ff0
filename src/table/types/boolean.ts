/** `boolean`: stored as 1 (true) or 0 (false). */

import { booleanText, trueText } from '../text-grammar.js';
import { refuseUnknownFields, type TypeFields, type ValueEncoder } from './common.js';

export interface BooleanType {
  readonly kind: 'boolean';
}

export interface BooleanTypeJson {
  readonly type: 'boolean';
}

export function parseBooleanType(fields: TypeFields, column: string): BooleanType {
  refuseUnknownFields(fields, ['type'], column);
  return { kind: 'boolean' };
}

export function booleanTypeToJson(): BooleanTypeJson {
  return { type: 'boolean' };
}

export function booleanEncoder(): ValueEncoder {
  return (value) => {
    if (typeof value === 'boolean') return value ? 1n : 0n;
    if (value === 0 || value === 0n) return 0n;
    if (value === 1 || value === 1n) return 1n;
    if (typeof value === 'string' && booleanText.test(value)) return trueText.test(value) ? 1n : 0n;
    return 'parse';
  };
}
