/** var(column): sample variance over the non-null values; null below 2 values (functions/variance.ts). */

import { variance } from './variance.js';

export const sampleVar = variance('var');
