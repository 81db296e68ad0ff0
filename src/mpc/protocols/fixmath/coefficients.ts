/**
 * Approximation coefficients, produced by scripts/fixmath-coefficients.py (Remez exchange in
 * plain Python; rerun it and paste its output here to change a fit). Polynomial coefficients
 * are listed from x^0 upwards; each comment gives the minimax error the script measured.
 */

// SIGMOID_CENTRE: sigmoid on [-1, 1], odd cubic, coefficients of x^0..x^3; max error 1.099e-04 (2^-13.15)
export const SIGMOID_CENTRE = [0.5, 0.24943963095255908, 0.0, -0.018490955925446473] as const;
// SIGMOID_MIDDLE: sigmoid on [1, 4], cubic; max error 1.867e-04 (2^-12.39)
export const SIGMOID_MIDDLE = [0.46872310943553885, 0.3299493905188029, -0.07359945250642459, 0.005798819326311499] as const;
// SIGMOID_OUTER: sigmoid on [4, 8], cubic; max error 2.425e-04 (2^-12.01)
export const SIGMOID_OUTER = [0.8096470269495882, 0.07945189539154666, -0.0111911202866474, 0.0005290559196975754] as const;
// sigmoid for x >= 8 (midpoint of [sigmoid(8), 1]); max error 1.677e-04
export const SIGMOID_TAIL = 0.9998323249347668;
// RECIPROCAL_INITIAL: 1/b on [1/2, 1], quadratic, relative error; max error 1.010e-02 (2^-6.63)
export const RECIPROCAL_INITIAL = [4.242424242424242, -5.818181818181818, 2.585858585858586] as const;
// RSQRT_INITIAL: 1/sqrt(b) on [1/2, 1], cubic, relative error; max error 4.790e-04 (2^-11.03)
export const RSQRT_INITIAL = [2.605311844386387, -3.6396485881944542, 2.990531021933901, -0.956673284385318] as const;
// EXP2_DEGREE4: 2^r on [0, 1], degree 4, relative error; max error 2.593e-06 (2^-18.56)
export const EXP2_DEGREE4 = [1.0000025933706653, 0.693003834471064, 0.2414427568861899, 0.0520114606190554, 0.013534167911694569] as const;
// EXP2_DEGREE5: 2^r on [0, 1], degree 5, relative error; max error 7.494e-08 (2^-23.67)
export const EXP2_DEGREE5 = [0.9999999250635297, 0.6931530732000758, 0.24015361704533342, 0.055826318050039916, 0.00898934009471393, 0.0018775766733667028] as const;
