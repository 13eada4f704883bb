// Vectorised transcendental functions of the per-ISA kernels (included by isa-kernels.h, after
// isa-vec.h): lanes within a few ulp of the correctly rounded result over the whole range, with
// the C library's answers at the edges (±inf, NaN, −0, denormals). Float has them all; double
// has exp, tanh, sigmoid and erf, and keeps the C library's expm1, log and log1p.
// The loops over them (exp, expm1, log, tanh, sigmoid, erf, and the fused GELU and SiLU with
// their derivatives) are FloatLoops members, so any kernel can call them; log1p serves the
// unary op alone.

namespace cr {
namespace CR_ISA {
namespace {

typedef int32_t vfi __attribute__((vector_size(kVectorBytes)));

inline vfi bitsOf(vf v) {
  vfi b;
  __builtin_memcpy(&b, &v, sizeof b);
  return b;
}
inline vf floatsOf(vfi b) {
  vf v;
  __builtin_memcpy(&v, &b, sizeof v);
  return v;
}
inline vf absOf(vf v) { return floatsOf(bitsOf(v) & 0x7fffffff); }
/** |m| with the sign of s (both lanewise). */
inline vf copySign(vf m, vf s) {
  return floatsOf((bitsOf(m) & 0x7fffffff) | (bitsOf(s) & static_cast<int32_t>(0x80000000u)));
}

/**
 * ln x (Cephes' logf, within 1 ulp): x = m·2^e with m in [√½, √2), ln(1 + (m − 1)) as a
 * degree-9 polynomial, e·ln 2 added in two parts. Denormals are scaled up by 2^23 first;
 * x < 0 gives NaN, ±0 gives −inf, inf and NaN pass through.
 */
inline vf logOf(vf x) {
  const vfi den = x < 1.17549435e-38f;
  const vf xs = den ? x * 8388608.0f : x;
  const vfi b = bitsOf(xs);
  // m in [0.5, 1); a lane below √½ doubles it and takes one from the exponent
  vfi e = ((b >> 23) & 0xff) - 126 + (den & -23);
  vf m = floatsOf((b & 0x007fffff) | 0x3f000000);
  const vfi small = m < 0.707106781186547524f;
  e += small;
  m = (small ? m + m : m) - 1.0f;
  const vf fe = __builtin_convertvector(e, vf);
  const vf z = m * m;
  vf p = vf{} + 7.0376836292e-2f;
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  vf y = p * m * z + fe * -2.12194440e-4f - 0.5f * z;
  vf r = m + y + fe * 0.693359375f;
  const float inf = __builtin_inff();
  r = x == 0.0f ? vf{} - inf : r;
  r = x < 0.0f ? vf{} + __builtin_nanf("") : r;
  r = x == inf ? x : r;
  return x != x ? x : r;
}

/**
 * ln(1 + x) without the cancellation near 0 (Goldberg's correction): with u = 1 + x rounded,
 * ln u · x/(u − 1) cancels u's rounding error; x itself where u is 1, inf at inf, −inf at −1,
 * NaN below.
 */
inline vf log1pOf(vf x) {
  const vf u = x + 1.0f;
  const vf r = logOf(u) * (x / (u - 1.0f));
  const vf big = u == __builtin_inff() ? u : r;
  return u == 1.0f ? x : big;
}

/**
 * e^x − 1 without the cancellation near 0: with x = n·ln 2 + r, s = 2^n and e^r − 1 = q (expOf's
 * from expReduced), it is s·q + (s − 1), exact in n = 0. Below −18 it is −1 in float, above
 * 88 e^x itself; NaN and −0 pass through.
 */
inline vf expm1Of(vf x) {
  const vf xc = x < -18.0f ? vf{} - 18.0f : x > 88.0f ? vf{} + 88.0f : x;
  vf t;
  const vf q = expReduced(xc, t);
  const vf sc = floatsOf((bitsOf(t) - bitsOf(vf{} + kExpMagic) + 127) << 23);
  vf y = sc * q + (sc - 1.0f);
  y = x > 88.0f ? expOf(x) : x < -18.0f ? vf{} - 1.0f : y;
  return x == 0.0f || x != x ? x : y;
}

/**
 * tanh x (Cephes' tanhf): an odd degree-11 polynomial below |x| = 0.625, 1 − 2/(e^2|x| + 1)
 * with x's sign above (e^2|x| overflowing to inf gives exactly ±1). −0 stays −0, NaN NaN.
 */
inline vf tanhOf(vf x) {
  const vf ax = absOf(x);
  const vf z = x * x;
  vf p = vf{} - 5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  // x's sign put back: −0 + (−0·z·p) would round to +0
  const vf small = copySign(x + x * z * p, x);
  const vf big = copySign(1.0f - 2.0f / (expOf(ax + ax) + 1.0f), x);
  return ax < 0.625f ? small : big;
}

/** 1 / (1 + e^−x) from e = e^−|x| (never overflows): 1/(1 + e) for x ≥ 0, e/(1 + e) below. */
inline vf sigmoidOf(vf x) {
  const vf e = expOf(-absOf(x));
  const vf r = 1.0f / (1.0f + e);
  return x >= 0.0f ? r : e * r;
}

/**
 * erf x: x·P(x²) (degree 6, relative error 1.3e-9) below |x| = 1; 1 − e^−x²·Q(1/|x|) with x's
 * sign on [1, 4), Q a degree-9 fit of erfcx (relative error 1.5e-8) in s = (1/|x| − 0.625)/0.375;
 * ±1 from 4 on, where erf rounds to 1 in float. NaN stays NaN, −0 stays −0.
 */
inline vf erfOf(vf x) {
  const vf ax = absOf(x);
  const vf z = x * x;
  vf p = vf{} + 7.869682004030071e-05f;
  p = p * z - 8.01493938801634e-04f;
  p = p * z + 5.1888623005617324e-03f;
  p = p * z - 2.6854090160344634e-02f;
  p = p * z + 1.1283591718954795e-01f;
  p = p * z - 3.761262639562817e-01f;
  p = p * z + 1.1283791658084643f;
  const vf small = x * p;
  const vf s = (1.0f / ax) * 2.66666667f - 1.66666667f;
  vf q = vf{} + 4.485817858e-06f;
  q = q * s - 2.731159740e-06f;
  q = q * s - 2.958806335e-05f;
  q = q * s + 1.241115859e-04f;
  q = q * s - 3.469793267e-04f;
  q = q * s + 4.599988606e-04f;
  q = q * s + 2.307704408e-03f;
  q = q * s - 2.424284769e-02f;
  q = q * s + 1.433564383e-01f;
  q = q * s + 3.059529892e-01f;
  const vf big = ax < 4.0f ? 1.0f - expOf(-z) * q : vf{} + 1.0f;
  const vf r = ax < 1.0f ? small : copySign(big, x);
  return x != x ? x : r;
}

// ---- double lanes -------------------------------------------------------------------------

typedef int64_t vdi __attribute__((vector_size(kVectorBytes)));

inline vdi bitsOf(vd v) {
  vdi b;
  __builtin_memcpy(&b, &v, sizeof b);
  return b;
}
inline vd doublesOf(vdi b) {
  vd v;
  __builtin_memcpy(&v, &b, sizeof v);
  return v;
}
inline vd absOf(vd v) { return doublesOf(bitsOf(v) & 0x7fffffffffffffffLL); }
inline vd copySign(vd m, vd s) {
  return doublesOf((bitsOf(m) & 0x7fffffffffffffffLL) | (bitsOf(s) & static_cast<int64_t>(0x8000000000000000ULL)));
}

/**
 * e^x in double lanes (about 1 ulp): n = round(x·log2 e), r = x − n·ln 2 in two parts (|r| ≤
 * ln 2 / 2), e^r by its Taylor series to degree 13 (truncation below 1e-17), times 2^n in two
 * halves as expOf does, so overflow gives inf and underflow denormals, then 0.
 */
inline vd expOf(vd x) {
  vd xc = x > 710.0 ? vd{} + 710.0 : x;
  xc = xc < -746.0 ? vd{} - 746.0 : xc;
  const vd magic = vd{} + 6755399441055744.0;  // 1.5·2^52
  const vd t = xc * 1.4426950408889634 + magic;
  const vd n = t - magic;
  const vd r = (xc - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
  vd p = vd{} + 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  const vd y = p * (r * r) + r + 1.0;
  const vdi ni = bitsOf(t) - bitsOf(magic);
  const vdi n1 = ni >> 1;
  return y * doublesOf((n1 + 1023) << 52) * doublesOf((ni - n1 + 1023) << 52);
}

/** tanh x in double lanes: Cephes' rational x + x·z·P(z)/Q(z) below |x| = 0.625, 1 − 2/(e^2|x| + 1) above. */
inline vd tanhOf(vd x) {
  const vd ax = absOf(x);
  const vd z = x * x;
  const vd p = ((vd{} - 9.64399179425052238628e-1) * z - 9.92877231001918586564e1) * z - 1.61468768441708447952e3;
  const vd q = ((z + 1.12811678491632931402e2) * z + 2.23548839060100448583e3) * z + 4.84406305325125486048e3;
  const vd small = copySign(x + x * z * (p / q), x);
  const vd big = copySign(1.0 - 2.0 / (expOf(ax + ax) + 1.0), x);
  return ax < 0.625 ? small : big;
}

/** 1 / (1 + e^−x) in double lanes, from e = e^−|x| as the float version. */
inline vd sigmoidOf(vd x) {
  const vd e = expOf(-absOf(x));
  const vd r = 1.0 / (1.0 + e);
  return x >= 0.0 ? r : e * r;
}

/**
 * erf in double lanes: W. J. Cody's rational approximations (the reference backend's): x·P/Q
 * below |x| = 0.46875, 1 − e^−x²·P/Q below 4, 1 − e^−x²/|x|·(1/√π − z·P/Q) with z = 1/x² above,
 * x's sign on the last two. All three are computed and the lane's one kept.
 */
inline vd erfOf(vd x) {
  const vd ax = absOf(x);
  const vd t = x * x;
  const vd pa = (((0.185777706184603153 * t + 3.1611237438705656) * t + 113.864154151050156) * t +
                 377.485237685302021) * t + 3209.37758913846947;
  const vd qa = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t +
                2844.23683343917062;
  vd pb = 2.15311535474403846e-8 * ax + 5.64188496988670089e-1;
  pb = pb * ax + 8.88314979438837594;
  pb = pb * ax + 66.1191906371416295;
  pb = pb * ax + 298.635138197400131;
  pb = pb * ax + 881.95222124176909;
  pb = pb * ax + 1712.04761263407058;
  pb = pb * ax + 2051.07837782607147;
  pb = pb * ax + 1230.33935479799725;
  vd qb = ax + 15.7449261107098347;
  qb = qb * ax + 117.693950891312499;
  qb = qb * ax + 537.181101862009858;
  qb = qb * ax + 1621.38957456669019;
  qb = qb * ax + 3290.79923573345963;
  qb = qb * ax + 4362.61909014324716;
  qb = qb * ax + 3439.36767414372164;
  qb = qb * ax + 1230.33935480374942;
  const vd z = 1.0 / t;
  const vd pc = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z +
                  1.25781726111229246e-1) * z + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
  const vd qc = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z +
                 6.05183413124413191e-2) * z + 2.33520497626869185e-3;
  const vd e = expOf(-t);
  const vd r = ax < 4.0 ? e * pb / qb : e / ax * (0.564189583547756287 - z * pc / qc);
  return ax < 0.46875 ? x * pa / qa : copySign(1.0 - r, x);
}

// The maps take their function as a template argument, not a lambda: GCC compiles a lambda's
// body without the target pragma's instruction set, so nothing this ISA's could inline into it.

template <class T>
using VecOf = typename Vec<T>::V;

/** out[i] = f(x[i]) a vector at a time, a masked last vector; x may equal out. */
template <class T, VecOf<T> (*f)(VecOf<T>)>
inline void mapLanes(const T* x, T* out, int64_t n) {
  constexpr int L = Vec<T>::L;
  int64_t i = 0;
  for (; i + L <= n; i += L) store(out + i, f(load<VecOf<T>>(x + i)));
  if (i < n) storeFirst(out + i, f(loadFirst<VecOf<T>>(x + i, static_cast<int>(n - i))), static_cast<int>(n - i));
}

/** out[i] = f(g[i], x[i]) a vector at a time, a masked last vector; either input may equal out. */
template <class T, VecOf<T> (*f)(VecOf<T>, VecOf<T>)>
inline void mapLanes2(const T* g, const T* x, T* out, int64_t n) {
  using V = VecOf<T>;
  constexpr int L = Vec<T>::L;
  int64_t i = 0;
  for (; i + L <= n; i += L) store(out + i, f(load<V>(g + i), load<V>(x + i)));
  if (i < n) {
    const int m = static_cast<int>(n - i);
    storeFirst(out + i, f(loadFirst<V>(g + i, m), loadFirst<V>(x + i, m)), m);
  }
}

// exp, tanh, sigmoid and erf run in vectors for both types; expm1, log and log1p in double call
// the C library per element (their vector forms above are float only)
template <class T>
void expLoop(const T* x, T* out, int64_t n) {
  mapLanes<T, expOf>(x, out, n);
}
template <class T>
void tanhLoop(const T* x, T* out, int64_t n) {
  mapLanes<T, tanhOf>(x, out, n);
}
template <class T>
void sigmoidLoop(const T* x, T* out, int64_t n) {
  mapLanes<T, sigmoidOf>(x, out, n);
}
template <class T>
void expm1Loop(const T* x, T* out, int64_t n) {
  if constexpr (sizeof(T) == 4) mapLanes<T, expm1Of>(x, out, n);
  else for (int64_t i = 0; i < n; i++) out[i] = __builtin_expm1(x[i]);
}
template <class T>
void logLoop(const T* x, T* out, int64_t n) {
  if constexpr (sizeof(T) == 4) mapLanes<T, logOf>(x, out, n);
  else for (int64_t i = 0; i < n; i++) out[i] = __builtin_log(x[i]);
}
template <class T>
void log1pLoop(const T* x, T* out, int64_t n) {
  if constexpr (sizeof(T) == 4) mapLanes<T, log1pOf>(x, out, n);
  else for (int64_t i = 0; i < n; i++) out[i] = __builtin_log1p(x[i]);
}
template <class T>
void erfLoop(const T* x, T* out, int64_t n) {
  mapLanes<T, erfOf>(x, out, n);
}

constexpr double kGeluTanhScale = 0.7978845608028654;  // √(2/π)
constexpr double kGeluTanhCubic = 0.044715;
constexpr double kInvSqrt2Pi = 0.3989422804014327;  // 1/√(2π)
constexpr double kSqrtHalf = 0.7071067811865476;

/** The lane functions of vector type V, as the activation formulas call them. */
template <class V>
struct VectorMath {
  static V erf(V v) { return erfOf(v); }
  static V tanh(V v) { return tanhOf(v); }
  static V exp(V v) { return expOf(v); }
  static V sigmoid(V v) { return sigmoidOf(v); }
};

// One formula per activation over a vector V of scalars S (M its functions), in the order of
// operations of the composed forms they replace.
template <int K, class S, class M, class V>
inline V activationOf(V x) {
  if constexpr (K == kActSilu) {
    return x * M::sigmoid(x);
  } else if constexpr (K == kActGeluTanh) {
    const V inner = (x + x * x * x * S(kGeluTanhCubic)) * S(kGeluTanhScale);
    return x * (M::tanh(inner) + S(1)) * S(0.5);
  } else {
    return x * (M::erf(x * S(kSqrtHalf)) + S(1)) * S(0.5);
  }
}

// g · the derivative at x: σ(1 + x(1 − σ)) for SiLU, Φ(x) + x·φ(x) for GELU, and for its tanh
// form ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²) with t = tanh(√(2/π)(x + 0.044715x³)).
template <int K, class S, class M, class V>
inline V activationGradOf(V g, V x) {
  if constexpr (K == kActSilu) {
    const V s = M::sigmoid(x);
    return g * (s * (S(1) + x * (S(1) - s)));
  } else if constexpr (K == kActGeluTanh) {
    const V u = x * x;
    const V t = M::tanh((x + x * u * S(kGeluTanhCubic)) * S(kGeluTanhScale));
    const V dInner = (S(1) + u * S(3 * kGeluTanhCubic)) * S(kGeluTanhScale);
    return g * (S(0.5) * (S(1) + t) + S(0.5) * x * (S(1) - t * t) * dInner);
  } else {
    const V cdf = S(0.5) * (S(1) + M::erf(x * S(kSqrtHalf)));
    return g * (cdf + x * M::exp(S(-0.5) * x * x) * S(kInvSqrt2Pi));
  }
}

template <int K, class T>
void activationRun(const T* x, T* out, int64_t n) {
  mapLanes<T, activationOf<K, T, VectorMath<VecOf<T>>, VecOf<T>>>(x, out, n);
}

template <int K, class T>
void activationGradRun(const T* g, const T* x, T* out, int64_t n) {
  mapLanes2<T, activationGradOf<K, T, VectorMath<VecOf<T>>, VecOf<T>>>(g, x, out, n);
}

template <class T>
void activationLoop(int kind, const T* x, T* out, int64_t n) {
  if (kind == kActSilu) activationRun<kActSilu>(x, out, n);
  else if (kind == kActGeluTanh) activationRun<kActGeluTanh>(x, out, n);
  else activationRun<kActGelu>(x, out, n);
}

template <class T>
void activationGradLoop(int kind, const T* g, const T* x, T* out, int64_t n) {
  if (kind == kActSilu) activationGradRun<kActSilu>(g, x, out, n);
  else if (kind == kActGeluTanh) activationGradRun<kActGeluTanh>(g, x, out, n);
  else activationGradRun<kActGelu>(g, x, out, n);
}

}  // namespace
}  // namespace CR_ISA
}  // namespace cr
