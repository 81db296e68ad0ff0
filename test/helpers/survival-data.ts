/**
 * Public survival datasets transcribed from R's survival package (Therneau), for the Cox model
 * tests: `ovarian` (Edmonson et al. 1979: 26 women, futime in days, fustat 1 = death, age in
 * years, resid.ds, rx treatment 1/2, ecog.ps 1/2) and `aml` (Embury et al. 1977: weeks to
 * relapse, status, x = Maintained / Nonmaintained, coded here 1 / 0 as 'maintained'), which has
 * tied times.
 */

export const OVARIAN = {
  futime: [59, 115, 156, 421, 431, 448, 464, 475, 477, 563, 638, 744, 769, 770, 803, 855, 1040, 1106, 1129, 1206, 1227, 268, 329, 353, 365, 377],
  fustat: [1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0],
  age: ['72.3315', '74.4932', '66.4658', '53.3644', '50.3397', '56.4301', '56.9370', '59.8548', '64.1753', '55.1781', '56.7562', '50.1096', '59.6301', '57.0521', '39.2712', '43.1233', '38.8932', '44.6000', '53.9068', '44.2055', '59.5890', '74.5041', '43.1370', '63.2192', '64.4247', '58.3096'],
  resid_ds: [2, 2, 2, 2, 2, 1, 2, 2, 2, 1, 1, 1, 2, 2, 1, 1, 2, 1, 1, 2, 1, 2, 2, 1, 2, 1],
  rx: [1, 1, 1, 2, 1, 1, 2, 2, 1, 2, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 1, 1, 2, 2, 2],
  ecog_ps: [1, 1, 2, 1, 1, 2, 2, 2, 1, 2, 2, 1, 2, 1, 1, 2, 2, 1, 1, 1, 2, 2, 1, 2, 1, 1],
} as const;

/**
 * R's printed coxph(Surv(futime, fustat) ~ age + ecog.ps + rx, ovarian) (no tied event times, so
 * Breslow = Efron), to the three significant digits print.coxph shows; likelihood ratio 15.9 on 3 df.
 */
export const OVARIAN_R = { coef: [0.147, 0.103, -0.815], se: [0.0463, 0.606, 0.634], likelihoodRatio: 15.9 } as const;

export const AML = {
  time: [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
  status: [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
  maintained: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
} as const;
