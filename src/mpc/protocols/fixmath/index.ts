/** Fixed-point functions on secret values: see docs/fixmath.md. */
export { sigmoid } from './sigmoid.js';
