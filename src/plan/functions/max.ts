/** max(column): the greatest non-null value over valid rows; null when there is none. */

import { extreme } from './extreme.js';

export const max = extreme('max');
