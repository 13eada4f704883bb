// Scalar functions the reference backend's loops need and Math lacks, accurate to float64.

/* eslint-disable no-loss-of-precision -- published erf coefficients, kept digit for digit */
/** Abramowitz–Stegun 7.1.26 is too coarse for gradcheck; this is W. J. Cody's rational erf. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.46875) {
    const t = x * x;
    const p =
      (((0.185777706184603153 * t + 3.1611237438705656) * t + 113.864154151050156) * t + 377.485237685302021) * t +
      3209.37758913846947;
    const q =
      (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return (x * p) / q;
  }
  let r: number;
  if (ax < 4) {
    // erfc(x) = e^(-x²) P(x) / Q(x); the tiny 2.15e-8 is P's leading coefficient, 1230.3… its constant
    const p =
      (((((((2.15311535474403846e-8 * ax + 5.64188496988670089e-1) * ax + 8.88314979438837594) * ax +
        66.1191906371416295) *
        ax +
        298.635138197400131) *
        ax +
        881.95222124176909) *
        ax +
        1712.04761263407058) *
        ax +
        2051.07837782607147) *
        ax +
      1230.33935479799725;
    const q =
      (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax +
        1621.38957456669019) *
        ax +
        3290.79923573345963) *
        ax +
        4362.61909014324716) *
        ax +
        3439.36767414372164) *
        ax +
      1230.33935480374942;
    r = (Math.exp(-ax * ax) * p) / q;
  } else {
    const z = 1 / (ax * ax);
    const p =
      ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z +
        1.25781726111229246e-1) *
        z +
        1.60837851487422766e-2) *
        z +
      6.58749161529837803e-4;
    const q =
      ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z +
        6.05183413124413191e-2) *
        z +
      2.33520497626869185e-3;
    r = (Math.exp(-ax * ax) / ax) * (0.564189583547756287 - (z * p) / q);
  }
  const v = 1 - r;
  return x < 0 ? -v : v;
}

/** The logistic function, split by sign so that exp never overflows. */
export function sigmoid(x: number): number {
  // NOTE: split by sign so that exp never overflows: for x << 0, 1/(1+e^-x) would be 1/inf.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
