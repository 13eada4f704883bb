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

/** sin(πx)/(πx), 1 at 0 (the normalized sinc). */
export function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

const PI_F32 = Math.fround(Math.PI);

/**
 * sinc in float32 arithmetic, as PyTorch's float kernel: π rounded to float32 puts sinc(k) at
 * about 1e-8 for integers k ≠ 0 (−2.78e-8 at 1), where float64 gives about 1e-17.
 */
export function sincFloat32(x: number): number {
  if (x === 0) return 1;
  const px = Math.fround(PI_F32 * x);
  return Math.fround(Math.fround(Math.sin(px)) / px);
}

const signWord = new Float64Array(1);
const signBits = new Uint32Array(signWord.buffer);

/** The sign bit of x: true for negative numbers, −0 and a NaN that carries it. */
export function signbit(x: number): boolean {
  if (x === x) return x < 0 || Object.is(x, -0);
  signWord[0] = x;
  // NOTE: assumes little-endian storage (the high word second), as on every platform Node runs on
  return signBits[1]! >>> 31 === 1;
}

/**
 * Python's float floor division, as PyTorch's div_floor computes it: the quotient of a − fmod(a, b)
 * (an exact multiple of b), so that 1 // 0.1 is 9 where ⌊1/0.1⌋ is 10; a zero divisor gives a/b.
 */
export function floorDivide(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) {
    const q = a / b;
    return q < 0 || Object.is(q, -0) ? -0 : 0;
  }
  const floor = Math.floor(div);
  return div - floor > 0.5 ? floor + 1 : floor;
}
