/** Fixed-point functions on secret values (see docs/fixmath.md). */
export { exp, expErrorBound, type ExpOptions } from './exp.js';
export { div, divErrorBound, reciprocal, reciprocalErrorBound, type DivOptions, type ReciprocalOptions } from './reciprocal.js';
export { roughInverseSpd, solveSpd, solveSpdColumns, type SpdSolveOptions } from './spd-solve.js';
export { refineInverse, matVecTrunc } from './newton-schulz.js';
export { sigmoid, sigmoidErrorBound, type SigmoidOptions } from './sigmoid.js';
export { rootErrorBound, rsqrt, sqrt, type RsqrtOptions, type SqrtOptions } from './sqrt.js';
export type { FixedPointOptions } from './params.js';
