// The loops of batch norm and layer norm over contiguous runs, for norm.cc alone: each is
// compiled for AVX-512, AVX2 + FMA and the baseline, and runs on the path isa.h chose (the best
// the CPU has, or CHAINRULE_SIMD's), so every path can be tested. Sums are in double; they keep
// independent lanes, so they vectorise without reassociating. One overload per float type.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "isa.h"

#define CR_INLINE inline __attribute__((always_inline))

// NOTE: the vectors below never cross a call (always inlined), so the ABI of passing one
// does not come into play
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace cr {
namespace {

constexpr int kLanes = 16;

/** Σ term(x[i], i) over a contiguous run in double: kLanes independent accumulators (vectorised). */
template <class T, class F>
CR_INLINE double laneSum(const T* p, int64_t n, F&& term) {
  double acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; l++) acc[l] += term(static_cast<double>(p[i + l]), i + l);
  double total = 0;
  for (; i < n; i++) total += term(static_cast<double>(p[i]), i);
  for (int l = 0; l < kLanes; l++) total += acc[l];
  return total;
}

// W doubles as one vector (GCC's vector extension): W = 8 fills a zmm register under AVX-512,
// W = 4 a ymm under AVX2 (wider would spill there) and two xmm on the baseline. Two sums in one
// pass vectorise written this way, where two arrays of scalar lanes do not.
template <int W>
struct Lanes {
  typedef double type __attribute__((vector_size(8 * W)));
};

template <int W, class T>
CR_INLINE typename Lanes<W>::type load(const T* p) {
  typedef T In __attribute__((vector_size(W * sizeof(T))));
  In v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_convertvector(v, typename Lanes<W>::type);
}

/** Σ x (squares false) or Σ (x − mean)² over a contiguous run, in double, W lanes twice over. */
template <int W, bool squares, class T>
CR_INLINE double vectorSum(const T* p, int64_t n, double mean) {
  typename Lanes<W>::type s0 = {}, s1 = {};
  int64_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    auto a = load<W>(p + i), b = load<W>(p + i + W);
    if constexpr (squares) {
      a -= mean;
      b -= mean;
      a *= a;
      b *= b;
    }
    s0 += a;
    s1 += b;
  }
  s0 += s1;
  double total = 0;
  for (int l = 0; l < W; l++) total += s0[l];
  for (; i < n; i++) {
    const double v = squares ? (static_cast<double>(p[i]) - mean) * (static_cast<double>(p[i]) - mean) : p[i];
    total += v;
  }
  return total;
}

/** sums[0] += Σ (x − shift) and sums[1] += Σ (x − shift)² over a contiguous run, in double, in one pass. */
template <int W, class T>
CR_INLINE void shiftedSums(const T* p, int64_t n, double shift, double* sums) {
  typename Lanes<W>::type s0 = {}, s1 = {}, q0 = {}, q1 = {};
  int64_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    const auto a = load<W>(p + i) - shift, b = load<W>(p + i + W) - shift;
    s0 += a;
    s1 += b;
    q0 += a * a;
    q1 += b * b;
  }
  s0 += s1;
  q0 += q1;
  double sum = 0, sq = 0;
  for (int l = 0; l < W; l++) sum += s0[l], sq += q0[l];
  for (; i < n; i++) {
    const double d = static_cast<double>(p[i]) - shift;
    sum += d;
    sq += d * d;
  }
  sums[0] += sum;
  sums[1] += sq;
}

/**
 * sums[0] += Σ g·w and sums[1] += Σ g·w·(x − mean) over a contiguous run, in double, both in one
 * pass; without `weighted` w is not read and counts as 1.
 */
template <int W, bool weighted, class T>
CR_INLINE void gradSums(const T* g, const T* w, const T* x, double mean, int64_t n, double* sums) {
  typename Lanes<W>::type s0 = {}, s1 = {}, t0 = {}, t1 = {};
  int64_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    auto ga = load<W>(g + i), gb = load<W>(g + i + W);
    if constexpr (weighted) {
      ga *= load<W>(w + i);
      gb *= load<W>(w + i + W);
    }
    s0 += ga;
    t0 += gb;
    s1 += ga * (load<W>(x + i) - mean);
    t1 += gb * (load<W>(x + i + W) - mean);
  }
  s0 += t0;
  s1 += t1;
  double a = 0, b = 0;
  for (int l = 0; l < W; l++) a += s0[l], b += s1[l];
  for (; i < n; i++) {
    const double gw = weighted ? static_cast<double>(g[i]) * static_cast<double>(w[i]) : g[i];
    a += gw;
    b += gw * (static_cast<double>(x[i]) - mean);
  }
  sums[0] += a;
  sums[1] += b;
}

/** Layer norm of `rows` contiguous rows xr and outr apart: each row's mean and rstd into mean[r], rstd[r]. */
template <class T>
CR_INLINE void lnForwardRows(const T* x, int64_t xr, const T* w, const T* b, double eps, T* out, int64_t outr,
                             double* mean, double* rstd, int64_t rows, int64_t d) {
  const double n = static_cast<double>(d);
  for (int64_t r = 0; r < rows; r++) {
    const T* px = x + r * xr;
    T* po = out + r * outr;
    const double m = laneSum(px, d, [](double v, int64_t) { return v; }) / n;
    const double rs = 1 / std::sqrt(laneSum(px, d, [m](double v, int64_t) { return (v - m) * (v - m); }) / n + eps);
    mean[r] = m;
    rstd[r] = rs;
    const T mu = static_cast<T>(m), s = static_cast<T>(rs);
    for (int64_t j = 0; j < d; j++) po[j] = (px[j] - mu) * s * w[j] + b[j];
  }
}

/**
 * Layer norm's gradient over `rows` contiguous rows: acc[j] += g·x̂ and acc[d + j] += g (when
 * acc), and dx = rstd·(gw − Σgw/D) − rstd³·(Σgw·(x − mean)/D)·(x − mean) with gw = g·w (when dx).
 */
template <int W, class T>
CR_INLINE void lnBackwardRows(const T* __restrict g, int64_t gr, const T* __restrict x, int64_t xr,
                              const T* __restrict w, const double* mean, const double* rstd, double* __restrict acc,
                              T* __restrict dx, int64_t dxr, int64_t rows, int64_t d) {
  const double n = static_cast<double>(d);
  for (int64_t r = 0; r < rows; r++) {
    const T* pg = g + r * gr;
    const T* px = x + r * xr;
    const double m = mean[r], rs = rstd[r];
    if (acc)
      for (int64_t j = 0; j < d; j++) {
        const double gv = static_cast<double>(pg[j]);
        acc[j] += gv * ((static_cast<double>(px[j]) - m) * rs);
        acc[d + j] += gv;
      }
    if (!dx) continue;
    double sums[2] = {0, 0};
    gradSums<W, true>(pg, w, px, m, d, sums);
    const T a = static_cast<T>(rs), mu = static_cast<T>(m);
    const T shift = static_cast<T>(-rs * sums[0] / n), coef = static_cast<T>(-rs * rs * rs * sums[1] / n);
    T* po = dx + r * dxr;
    for (int64_t j = 0; j < d; j++) po[j] = a * pg[j] * w[j] + coef * (px[j] - mu) + shift;
  }
}

// The contiguous-run loops, one overload per float type, compiled for the target ATTR names.
#define CR_NORM_RUNS(T, ATTR, W)                                                                                    \
  /* Σ x */                                                                                                         \
  ATTR double runSum(const T* p, int64_t n) { return vectorSum<W, false>(p, n, 0.0); }                              \
  /* Σ (x − mean)² */                                                                                               \
  ATTR double runSquares(const T* p, int64_t n, double mean) { return vectorSum<W, true>(p, n, mean); }             \
  /* sums[0] += Σ (x − shift), sums[1] += Σ (x − shift)² (float32's one-pass statistics) */                      \
  [[maybe_unused]] ATTR void runShiftedSums(const T* p, int64_t n, double shift, double* sums) { shiftedSums<W>(p, n, shift, sums); } \
  /* sums[0] += Σ g, sums[1] += Σ g·(x − mean) */                                                                  \
  ATTR void runSumDot(const T* g, const T* x, int64_t n, double mean, double* sums) {                               \
    gradSums<W, false>(g, g, x, mean, n, sums);                                                                     \
  }                                                                                                                 \
  /* out = x·a + b */                                                                                               \
  ATTR void runAffine(const T* x, T a, T b, T* out, int64_t n) {                                                    \
    for (int64_t j = 0; j < n; j++) out[j] = x[j] * a + b;                                                          \
  }                                                                                                                 \
  /* out = relu(x·a + b), NaN kept as the relu kernel keeps it */                                                  \
  ATTR void runAffineRelu(const T* x, T a, T b, T* out, int64_t n) {                                                \
    for (int64_t j = 0; j < n; j++) {                                                                               \
      const T v = x[j] * a + b;                                                                                     \
      out[j] = v > 0 ? v : v != v ? v : T(0);                                                                       \
    }                                                                                                               \
  }                                                                                                                 \
  /* out = g where x·a + b > 0, else 0: relu's gradient through runAffineRelu's own sums (g may be out) */        \
  ATTR void runReluMask(const T* g, const T* x, T a, T b, T* out, int64_t n) {                                      \
    for (int64_t j = 0; j < n; j++) out[j] = x[j] * a + b > 0 ? g[j] : T(0);                                        \
  }                                                                                                                 \
  /* out = a·g + c·(x − mu) + shift */                                                                              \
  ATTR void runDx(const T* g, const T* x, T a, T c, T mu, T shift, T* out, int64_t n) {                             \
    for (int64_t j = 0; j < n; j++) out[j] = a * g[j] + c * (x[j] - mu) + shift;                                    \
  }                                                                                                                 \
  /* layer norm of contiguous rows */                                                                               \
  ATTR void runLnForward(const T* x, int64_t xr, const T* w, const T* b, double eps, T* out, int64_t outr,          \
                         double* mean, double* rstd, int64_t rows, int64_t d) {                                     \
    lnForwardRows(x, xr, w, b, eps, out, outr, mean, rstd, rows, d);                                                \
  }                                                                                                                 \
  /* its gradient */                                                                                                \
  ATTR void runLnBackward(const T* g, int64_t gr, const T* x, int64_t xr, const T* w, const double* mean,           \
                          const double* rstd, double* acc, T* dx, int64_t dxr, int64_t rows, int64_t d) {           \
    lnBackwardRows<W>(g, gr, x, xr, w, mean, rstd, acc, dx, dxr, rows, d);                                          \
  }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
namespace withAvx512 {
CR_NORM_RUNS(float, __attribute__((target("avx512f"))), 8)
CR_NORM_RUNS(double, __attribute__((target("avx512f"))), 8)
}  // namespace withAvx512
namespace withAvx2 {
CR_NORM_RUNS(float, __attribute__((target("avx2,fma"))), 4)
CR_NORM_RUNS(double, __attribute__((target("avx2,fma"))), 4)
}  // namespace withAvx2
#define CR_NORM_X86 1
#endif
namespace baseline {
CR_NORM_RUNS(float, , 4)
CR_NORM_RUNS(double, , 4)
}  // namespace baseline
#undef CR_NORM_RUNS

/** The path isa.h chose: 2 for AVX-512, 1 for AVX2, 0 for the baseline loops. */
inline int normPath() {
  static const int path = std::strcmp(isa().name, "avx512") == 0 ? 2 : std::strcmp(isa().name, "avx2") == 0 ? 1 : 0;
  return path;
}

// Each loop by its plain name runs the chosen path's overload.
#ifdef CR_NORM_X86
#define CR_NORM_DISPATCH(name)                                                                                      \
  template <class... A>                                                                                             \
  CR_INLINE auto name(A... a) {                                                                                     \
    const int path = normPath();                                                                                    \
    if (path == 2) return withAvx512::name(a...);                                                                   \
    return path == 1 ? withAvx2::name(a...) : baseline::name(a...);                                                 \
  }
#else
#define CR_NORM_DISPATCH(name)                                                                                      \
  template <class... A>                                                                                             \
  CR_INLINE auto name(A... a) {                                                                                     \
    return baseline::name(a...);                                                                                    \
  }
#endif
CR_NORM_DISPATCH(runSum)
CR_NORM_DISPATCH(runSquares)
CR_NORM_DISPATCH(runShiftedSums)
CR_NORM_DISPATCH(runSumDot)
CR_NORM_DISPATCH(runAffine)
CR_NORM_DISPATCH(runAffineRelu)
CR_NORM_DISPATCH(runReluMask)
CR_NORM_DISPATCH(runDx)
CR_NORM_DISPATCH(runLnForward)
CR_NORM_DISPATCH(runLnBackward)
#undef CR_NORM_DISPATCH

}  // namespace
}  // namespace cr
