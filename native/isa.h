// The per-instruction-set kernel table. isa-kernels.h is compiled once per ISA (AVX-512,
// AVX2+FMA, portable) into its own namespace; isa.cc picks one table at run time from the CPU's
// features, or from CHAINRULE_SIMD=portable|avx2|avx512 so every path can be tested.
#pragma once

#include <cstdint>

#include "conv-tiles.h"

namespace cr {

/** A GEMM micro-kernel and the cache blocking tuned for it. */
template <class T>
struct GemmKernel {
  int mr, nr;      // micro-tile: mr rows of packed A times nr columns of packed B
  int kc, mc, nc;  // cache blocks along K (L1), M (L2) and N (L3)
  /** c[mr x nr] (row stride ldc) = or += a-panel (kc x mr, k-major) @ b-panel (kc x nr, k-major). */
  void (*kernel)(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, bool accumulate);
  /** The same for the first `rows` (1 .. mr-1) rows of a panel: a last panel's cost follows its real rows. */
  void (*edge)(int rows, int64_t kc, const T* a, const T* b, T* c, int64_t ldc, bool accumulate);
  /** Packs `rows` rows x kc of A (strides rsa, csa) into mr-row panels, k-major, zero-padded. */
  void (*packA)(const T* a, int64_t rsa, int64_t csa, int64_t rows, int64_t kc, T* dst);
  /** Packs `cols` (<= nr) columns x kc of B (strides rsb, csb) into one k-major strip, zero-padded. */
  void (*packB)(const T* b, int64_t rsb, int64_t csb, int64_t cols, int64_t kc, T* dst);
  /**
   * Unpacked product for small problems: c[i, j] (rows ldc apart, columns contiguous) = sum_k
   * a[i*rsa + k*csa] * b[k*rsb + j*csb], for i < m, j < n; b must have rsb == 1 or csb == 1.
   * Register-blocked over rows of b when csb == 1, blocked dot products when csa == rsb == 1.
   */
  void (*smallM)(int64_t m, int64_t n, int64_t k, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
                 int64_t csb, T* c, int64_t ldc);
};

/** The fused activations of FloatLoops::activation (the codes the TypeScript side sends). */
enum ActivationKind : int {
  kActGelu = 0,      // x·Φ(x), Φ through erf
  kActGeluTanh = 1,  // GELU with the tanh approximation
  kActSilu = 2,      // x·σ(x)
};

/** Elementwise float loops over one run with strides in {0, 1} or any. */
template <class T>
struct FloatLoops {
  /** out[i] = op(a[i*sa], b[i*sb]); returns false when `op` has no loop here. */
  bool (*binary)(int op, const T* a, int64_t sa, const T* b, int64_t sb, T* out, int64_t n);
  /** out[i] = op(a[i*sa], b[i*sb]) as 0/1 for a predicate op; returns false when `op` has no loop here. */
  bool (*compare)(int op, const T* a, int64_t sa, const T* b, int64_t sb, uint8_t* out, int64_t n);
  /** out[i] = op(x[i*sx]) for the cheap unary ops; returns false when `op` has no loop here. */
  bool (*unary)(int op, const T* x, int64_t sx, T* out, int64_t n);
  /** Sum of x[0..n) accumulated in double. */
  double (*sum)(const T* x, int64_t n);
  /** acc[j] += x[j] for j < n (column sums, accumulated in double). */
  void (*addTo)(double* acc, const T* x, int64_t n);
  /** d[r*dr + c] = s[r + c*sc] for r < rows, c < cols: a transposing copy, bit-exact (any same-width data). */
  void (*transpose)(const T* s, int64_t sc, T* d, int64_t dr, int64_t rows, int64_t cols);
  /** out[r*orow + c] += alpha * x[r*xr + c] for r < rows, c < cols (short rows: a fold's windows). */
  void (*axpyRows)(T alpha, const T* x, int64_t xr, T* out, int64_t orow, int64_t rows, int64_t cols);
  /** d[r*dr + c] = s[r*sr + c] for r < rows, c < cols: a bit-exact copy of short rows (any same-width data). */
  void (*copyRows)(const T* s, int64_t sr, T* d, int64_t dr, int64_t rows, int64_t cols);
  /**
   * n windows two wide, stride 2, along a contiguous row: tap pair q at x + rowOff[q] + 2j, plane
   * position rowPlane[q] (+ 1) past the window's own (posBase + j * posStep). Each window's first
   * maximum (NaN wins) into values[j], its plane position into positions[j].
   */
  void (*maxPool2)(const T* x, const int64_t* rowOff, const int64_t* rowPlane, int64_t pairs, int64_t n,
                   int64_t posBase, int64_t posStep, T* values, int32_t* positions);
  /** out[i] = e^(x[i] − shift) for i < n, contiguous (within 2 ulp, vectorised). */
  void (*expShift)(const T* x, T shift, T* out, int64_t n);
  // Transcendental loops over contiguous runs (x may equal out), vectorised within a few ulp of
  // the correctly rounded result over the whole range (infinities, NaN, −0, denormals); double's
  // expm1 and log call the C library.
  /** out[i] = e^x[i]. */
  void (*exp)(const T* x, T* out, int64_t n);
  /** out[i] = e^x[i] − 1, accurate near 0. */
  void (*expm1)(const T* x, T* out, int64_t n);
  /** out[i] = ln x[i] (NaN below 0, −inf at ±0). */
  void (*log)(const T* x, T* out, int64_t n);
  /** out[i] = tanh x[i]. */
  void (*tanh)(const T* x, T* out, int64_t n);
  /** out[i] = 1 / (1 + e^−x[i]), without overflow for any x. */
  void (*sigmoid)(const T* x, T* out, int64_t n);
  /** out[i] = erf x[i]. */
  void (*erf)(const T* x, T* out, int64_t n);
  /** out[i] = act(x[i]) for an ActivationKind, fused (one vectorised pass). */
  void (*activation)(int kind, const T* x, T* out, int64_t n);
  /** out[i] = g[i] · act'(x[i]): the activation's backward in one pass. */
  void (*activationGrad)(int kind, const T* g, const T* x, T* out, int64_t n);
};

/** One instruction set's kernels. */
struct IsaTable {
  const char* name;
  GemmKernel<float> sgemm;
  GemmKernel<double> dgemm;
  FloatLoops<float> f32;
  FloatLoops<double> f64;
  ConvIsa conv;
};

namespace portable {
const IsaTable& table();
}
namespace avx2 {
const IsaTable& table();
}
namespace avx512 {
const IsaTable& table();
}

/** The table in use (chosen once, on first call). */
const IsaTable& isa();

/** The chosen path's loops for T (float or double). */
template <class T>
const FloatLoops<T>& floatLoops() {
  if constexpr (sizeof(T) == 4)
    return isa().f32;
  else
    return isa().f64;
}

/** Names of the paths this CPU and build can run, best first. */
const char* const* availableIsas(int* count);

}  // namespace cr
