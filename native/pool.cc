// Max pooling in one pass over the input: every window's maximum and the flat position of its
// first maximum in the pooled plane (the backward scatters the gradient to those positions). A
// general reduction over the windows view would visit the same taps, but through a walk built for
// long runs; windows are a handful of taps each, so here the tap offsets are computed once and
// each window is a short unrolled compare. Windows two wide with stride 2 along a contiguous row
// (MaxPool2d(2)) go to the ISA's vector loop, a window per lane.

#include <algorithm>
#include <type_traits>
#include <vector>

#include "isa.h"
#include "kernels.h"
#include "thread-pool.h"

namespace cr {
namespace {

// Windows per part below which one thread does all of them.
constexpr int64_t kGrain = 1 << 14;
// Tap pairs the vector row takes (a 2 x 2 window has 2; a 2 x 2 x 2 one 4).
constexpr int64_t kMaxPairs = 64;

struct PoolGeometry {
  int rowDims;      // dims of the row index
  int64_t taps;     // elements per window
  int64_t outLast;  // windows along the last pooled dim
  int64_t rows;     // lead positions x windows along every pooled dim but the last
  int64_t rowShape[kMaxDims], rowStride[kMaxDims], rowPlane[kMaxDims];
  int64_t lastStep, lastPlane;  // x offset and plane position between neighbouring windows of a row
  std::vector<int64_t> tapOffset, tapPlane;
  // windows two wide with stride 2 along a contiguous last dim (MaxPool2d(2)): the ISA's vector row
  bool pairs;
};

PoolGeometry geometry(const View& x, int k, const int64_t* kernel, const int64_t* stride, const int64_t* dilation) {
  PoolGeometry g;
  const int nLead = x.nd - k;
  const int64_t* size = x.shape + nLead;
  const int64_t* xs = x.strides + nLead;
  int64_t plane[kMaxDims];
  for (int64_t s = 1, i = k - 1; i >= 0; i--) {
    plane[i] = s;
    s *= size[i];
  }
  // taps in row-major order, so the first maximum is the first in the window
  g.taps = 1;
  for (int i = 0; i < k; i++) g.taps *= kernel[i];
  g.tapOffset.assign(static_cast<size_t>(g.taps), 0);
  g.tapPlane.assign(static_cast<size_t>(g.taps), 0);
  for (int64_t t = 0; t < g.taps; t++) {
    for (int64_t rest = t, i = k - 1; i >= 0; i--) {
      const int64_t at = rest % kernel[i] * dilation[i];
      rest /= kernel[i];
      g.tapOffset[static_cast<size_t>(t)] += at * xs[i];
      g.tapPlane[static_cast<size_t>(t)] += at * plane[i];
    }
  }
  // rows: the lead dims, then every pooled dim's windows but the last's
  int nd = 0;
  g.rows = 1;
  for (int d = 0; d < nLead; d++, nd++) {
    g.rowShape[nd] = x.shape[d];
    g.rowStride[nd] = x.strides[d];
    g.rowPlane[nd] = 0;
  }
  for (int i = 0; i < k; i++) {
    const int64_t windows = (size[i] - dilation[i] * (kernel[i] - 1) - 1) / stride[i] + 1;
    if (i == k - 1) {
      g.outLast = windows;
      g.lastStep = stride[i] * xs[i];
      g.lastPlane = stride[i] * plane[i];
    } else {
      g.rowShape[nd] = windows;
      g.rowStride[nd] = stride[i] * xs[i];
      g.rowPlane[nd] = stride[i] * plane[i];
      nd++;
    }
  }
  for (int d = 0; d < nd; d++) g.rows *= g.rowShape[d];
  g.rowDims = nd;
  g.pairs =
      kernel[k - 1] == 2 && stride[k - 1] == 2 && dilation[k - 1] == 1 && xs[k - 1] == 1 && g.taps <= 2 * kMaxPairs;
  return g;
}

/** Where row r of windows starts: its x offset (from `base`) and plane position. */
void rowStart(const PoolGeometry& g, int64_t r, int64_t base, int64_t* off, int64_t* planeLead) {
  *off = base;
  *planeLead = 0;
  for (int64_t d = g.rowDims - 1; d >= 0; d--) {
    const int64_t i = r % g.rowShape[d];
    r /= g.rowShape[d];
    *off += i * g.rowStride[d];
    *planeLead += i * g.rowPlane[d];
  }
}

/** One row of windows two wide through the ISA's vector loop. */
template <class T>
void pairRow(const PoolGeometry& g, const T* x, int64_t off, int64_t planeLead, T* v, int32_t* p) {
  int64_t rowOff[kMaxPairs], rowPlane[kMaxPairs];
  const int64_t pairs = g.taps / 2;
  for (int64_t q = 0; q < pairs; q++) {
    rowOff[q] = off + g.tapOffset[static_cast<size_t>(2 * q)];
    rowPlane[q] = g.tapPlane[static_cast<size_t>(2 * q)];
  }
  floatLoops<T>().maxPool2(x, rowOff, rowPlane, pairs, g.outLast, planeLead, g.lastPlane, v, p);
}

/** One row of windows, one at a time: the taps of each are a short unrolled compare. */
template <class T>
void scalarRow(const PoolGeometry& g, const T* x, int64_t off, int64_t planeLead, T* v, int32_t* p) {
  const int64_t taps = g.taps;
  const int64_t* to = g.tapOffset.data();
  for (int64_t j = 0; j < g.outLast; j++) {
    const T* w = x + off + j * g.lastStep;
    T best = w[to[0]];
    int64_t arg = 0;
    bool nan = best != best;
    // plain greater-than selects compile branch-free (compares on random data mispredict);
    // a NaN never wins them, so a window that holds one is redone with the NaN rule
    for (int64_t t = 1; t < taps; t++) {
      const T c = w[to[t]];
      nan |= c != c;
      const bool gt = c > best;
      best = gt ? c : best;
      arg = gt ? t : arg;
    }
    if (nan)
      for (arg = 0; arg < taps && w[to[arg]] == w[to[arg]]; arg++) {
      }
    v[j] = nan ? w[to[arg]] : best;
    p[j] = static_cast<int32_t>(planeLead + j * g.lastPlane + g.tapPlane[static_cast<size_t>(arg)]);
  }
}

template <class T>
void poolRows(const PoolGeometry& g, const T* x, int64_t base, T* values, int32_t* positions, int64_t r0, int64_t r1) {
  // rows along the innermost row dim are evenly spaced: each run of them starts from its index
  // (lead dims move the offset only: positions count within one plane), then steps
  const int64_t inner = g.rowDims > 0 ? g.rowShape[g.rowDims - 1] : 1;
  const int64_t step = g.rowDims > 0 ? g.rowStride[g.rowDims - 1] : 0;
  const int64_t planeStep = g.rowDims > 0 ? g.rowPlane[g.rowDims - 1] : 0;
  bool pairs = false;
  if constexpr (std::is_floating_point_v<T>) pairs = g.pairs;
  for (int64_t r = r0; r < r1;) {
    const int64_t run = std::min(inner - r % inner, r1 - r);
    int64_t off = 0, planeLead = 0;
    rowStart(g, r, base, &off, &planeLead);
    for (int64_t end = r + run; r < end; r++, off += step, planeLead += planeStep) {
      T* v = values + r * g.outLast;
      int32_t* p = positions + r * g.outLast;
      if constexpr (std::is_floating_point_v<T>) {
        if (pairs) {
          pairRow(g, x, off, planeLead, v, p);
          continue;
        }
      }
      scalarRow(g, x, off, planeLead, v, p);
    }
  }
}

template <class T>
void poolAll(const PoolGeometry& g, const View& x, char* values, int32_t* positions) {
  const int64_t perRow = std::max<int64_t>(1, g.outLast * g.taps);
  parallelFor(g.rows, std::max<int64_t>(1, kGrain / perRow), [&](int64_t r0, int64_t r1) {
    poolRows(g, reinterpret_cast<const T*>(x.data), x.offset, reinterpret_cast<T*>(values), positions, r0, r1);
  });
}

}  // namespace

void maxPool(const View& x, int k, const int64_t* kernel, const int64_t* stride, const int64_t* dilation,
             char* values, int32_t* positions) {
  const PoolGeometry g = geometry(x, k, kernel, stride, dilation);
  if (g.rows == 0 || g.outLast == 0) return;
  switch (x.dtype) {
    case kF32:
      return poolAll<float>(g, x, values, positions);
    case kF64:
      return poolAll<double>(g, x, values, positions);
    case kI32:
      return poolAll<int32_t>(g, x, values, positions);
    default:
      return poolAll<uint8_t>(g, x, values, positions);
  }
}

}  // namespace cr
