/** std(column): sample standard deviation over the non-null values; null below 2 values (functions/variance.ts). */

import { variance } from './variance.js';

export const sampleStd = variance('std');
