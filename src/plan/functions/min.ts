/** min(column): the least non-null value over valid rows; null when there is none. */

import { extreme } from './extreme.js';

export const min = extreme('min');
