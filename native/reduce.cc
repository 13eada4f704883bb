// Reductions over the trailing dims of a view, read in place whatever the layout: small reduced
// blocks (pooling windows) use a precomputed list of element offsets, large ones walk their
// strided runs (contiguous float runs summed with vector accumulators). Sums over leading dims
// of a view whose kept dims are contiguous (a bias gradient) add whole rows into a double
// accumulator instead. Everything accumulates in double, as the reference does.

#include <algorithm>
#include <vector>

#include "isa.h"
#include "kernels.h"
#include "thread-pool.h"

namespace cr {
namespace {

// Reduced blocks up to this many elements use an offset list.
constexpr int64_t kOffsetList = 256;
// Input elements per part below which a reduction stays on one thread (a sum reads as little
// per element as a cheap elementwise op: the same grain as elementwise.cc's kCheapGrain).
constexpr int64_t kGrain = 1 << 16;

/** Running state of one row's reduction; `at` counts positions in row-major order of the reduced dims. */
struct Acc {
  double value;
  int64_t best = 0;  // arg position of the current max/min
  int64_t at = 0;
  bool done = false;  // a NaN decided a max/min
};

/** True for the reductions this file folds (max, min and their args share the default case). */
constexpr bool hasFold(int op) {
  return op == kSum || op == kProd || op == kMax || op == kMin || op == kArgmax || op == kArgmin;
}
// a reduction added to op-list.gen.h fails the build here until its fold is written, instead of
// running as a min
#define CR_REQUIRE_FOLD(constant, name) static_assert(hasFold(constant), "reduce.cc has no fold for \"" name "\"");
CR_REDUCE_OPS(CR_REQUIRE_FOLD)
#undef CR_REQUIRE_FOLD

Acc start(int op) {
  Acc a;
  a.value = op == kSum ? 0.0 : op == kProd ? 1.0 : (op == kMax || op == kArgmax) ? -INFINITY : INFINITY;
  return a;
}

/** Folds x[i*stride] for i < n into the accumulator, with the reference's NaN rules. */
template <class T>
void fold(int op, Acc& acc, const T* x, int64_t stride, int64_t n) {
  if (acc.done) return;
  switch (op) {
    case kSum:
      if constexpr (std::is_same_v<T, float>) {
        if (stride == 1) {
          acc.value += isa().f32.sum(x, n);
          break;
        }
      } else if constexpr (std::is_same_v<T, double>) {
        if (stride == 1) {
          acc.value += isa().f64.sum(x, n);
          break;
        }
      }
      for (int64_t i = 0; i < n; i++) acc.value += static_cast<double>(x[i * stride]);
      break;
    case kProd:
      for (int64_t i = 0; i < n; i++) acc.value *= static_cast<double>(x[i * stride]);
      break;
    default: {
      // a NaN anywhere wins and its position is the arg; ties keep the first position
      const bool isMax = op == kMax || op == kArgmax;
      for (int64_t i = 0; i < n; i++) {
        const double v = static_cast<double>(x[i * stride]);
        if ((isMax ? v > acc.value : v < acc.value) || v != v) {
          acc.value = v;
          acc.best = acc.at + i;
          if (v != v) {
            acc.done = true;
            break;
          }
        }
      }
    }
  }
  acc.at += n;
}

double result(int op, const Acc& a, int64_t inner) {
  if (op == kArgmax || op == kArgmin) return static_cast<double>(a.best);
  if ((op == kMax || op == kMin) && inner == 0) return NAN;
  return a.value;
}

/**
 * A small reduced block for `n` rows at once (rows `rs` apart, results to out[o0..o0+n)): the
 * loop over rows is innermost, so it vectorises across rows (neighbouring pooling windows).
 * Max/min keep the reference's rule: the first NaN wins, else the first of equal extremes.
 */
template <class T>
void foldAcross(int op, const T* x, int64_t rs, int64_t n, const std::vector<int64_t>& offs, char* out, int outDt,
                int64_t o0) {
  constexpr int64_t kChunk = 256;
  double acc[kChunk];
  T best[kChunk];
  int32_t arg[kChunk];
  const int64_t inner = static_cast<int64_t>(offs.size());
  for (int64_t r0 = 0; r0 < n; r0 += kChunk) {
    const int64_t c = std::min(kChunk, n - r0);
    const T* base = x + r0 * rs;
    if (op == kSum || op == kProd) {
      for (int64_t r = 0; r < c; r++) acc[r] = op == kSum ? 0.0 : 1.0;
      for (int64_t o : offs) {
        const T* p = base + o;
        if (op == kSum)
          for (int64_t r = 0; r < c; r++) acc[r] += static_cast<double>(p[r * rs]);
        else
          for (int64_t r = 0; r < c; r++) acc[r] *= static_cast<double>(p[r * rs]);
      }
      for (int64_t r = 0; r < c; r++) storeDouble(out, outDt, o0 + r0 + r, acc[r]);
      continue;
    }
    const bool isMax = op == kMax || op == kArgmax;
    for (int64_t r = 0; r < c; r++) {
      best[r] = base[r * rs + offs[0]];
      arg[r] = 0;
    }
    for (int64_t i = 1; i < inner; i++) {
      const T* p = base + offs[static_cast<size_t>(i)];
      // branch-free (bitwise, not short-circuit): the comparisons are data-dependent coin flips
      for (int64_t r = 0; r < c; r++) {
        const T v = p[r * rs];
        const T b = best[r];
        const bool upd = (b == b) & ((isMax ? v > b : v < b) | (v != v));
        best[r] = upd ? v : b;
        arg[r] = upd ? static_cast<int32_t>(i) : arg[r];
      }
    }
    if (op == kArgmax || op == kArgmin)
      for (int64_t r = 0; r < c; r++) storeDouble(out, outDt, o0 + r0 + r, arg[r]);
    else
      for (int64_t r = 0; r < c; r++) storeDouble(out, outDt, o0 + r0 + r, static_cast<double>(best[r]));
  }
}

template <class T>
void reduceRows(int op, const View& x, int nKept, const Walk& rw, int64_t inner, char* out, int outDt) {
  const T* data = reinterpret_cast<const T*>(x.data);
  int64_t rows = 1;
  for (int d = 0; d < nKept; d++) rows *= x.shape[d];
  // offsets of the reduced elements, when there are few of them
  std::vector<int64_t> offs;
  if (inner <= kOffsetList) {
    offs.reserve(static_cast<size_t>(inner));
    walkRange(rw, 0, rw.numel, [&](const int64_t* o, int64_t n) {
      for (int64_t i = 0; i < n; i++) offs.push_back(o[0] + i * rw.inner(0));
    });
  }
  if (inner > 0 && inner <= kOffsetList) {
    // kept dims as runs of rows: each run is reduced across its rows at once
    int64_t os[kMaxDims];
    for (int64_t st = 1, d = nKept - 1; d >= 0; d--) {
      os[d] = st;
      st *= x.shape[d] > 1 ? x.shape[d] : 1;
    }
    const int64_t* strides[2] = {x.strides, os};
    const int64_t offsets[2] = {x.offset, 0};
    const Walk kw = coalesce(nKept, x.shape, 2, strides, offsets);
    parallelFor(kw.numel, std::max<int64_t>(1, kGrain / inner), [&](int64_t b, int64_t e) {
      walkRange(kw, b, e, [&](const int64_t* off, int64_t n) {
        foldAcross(op, data + off[0], kw.inner(0), n, offs, out, outDt, off[1]);
      });
    });
    return;
  }
  const int64_t grain = inner >= kGrain ? 1 : kGrain / (inner + 1) + 1;
  parallelFor(rows, grain, [&](int64_t r0, int64_t r1) {
    // offset of row r0 from the kept dims, then stepped like an odometer
    int64_t idx[kMaxDims] = {};
    int64_t base = x.offset;
    for (int64_t rest = r0, d = nKept - 1; d >= 0; d--) {
      idx[d] = rest % x.shape[d];
      rest /= x.shape[d];
      base += idx[d] * x.strides[d];
    }
    for (int64_t r = r0; r < r1; r++) {
      Acc acc = start(op);
      if (!offs.empty() || inner == 0) {
        const T* row = data + base;
        if (op == kSum) {
          for (int64_t o : offs) acc.value += static_cast<double>(row[o]);
        } else if (op == kProd) {
          for (int64_t o : offs) acc.value *= static_cast<double>(row[o]);
        } else {
          const bool isMax = op == kMax || op == kArgmax;
          for (int64_t i = 0; i < inner; i++) {
            const double v = static_cast<double>(row[offs[static_cast<size_t>(i)]]);
            if ((isMax ? v > acc.value : v < acc.value) || v != v) {
              acc.value = v;
              acc.best = i;
              if (v != v) break;
            }
          }
        }
      } else {
        Walk w = rw;
        w.base[0] = base;
        walkRange(w, 0, w.numel, [&](const int64_t* o, int64_t n) { fold(op, acc, data + o[0], w.inner(0), n); });
      }
      storeDouble(out, outDt, r, result(op, acc, inner));
      for (int d = nKept - 1; d >= 0; d--) {
        base += x.strides[d];
        if (++idx[d] < x.shape[d]) break;
        base -= x.strides[d] * x.shape[d];
        idx[d] = 0;
      }
    }
  });
}

/**
 * Sum over the reduced dims when the kept dims coalesce to one contiguous run of `cols`: every
 * reduced position adds a whole row into a double accumulator (vectorised, no transposition).
 */
bool columnSum(const View& x, int nKept, int nReduce, char* out, int outDt) {
  if (x.dtype != kF32 && x.dtype != kF64) return false;
  int64_t cols = 1;
  int64_t expect = 1;
  for (int d = nKept - 1; d >= 0; d--) {
    if (x.shape[d] == 1) continue;
    if (x.strides[d] != expect) return false;
    expect *= x.shape[d];
  }
  for (int d = 0; d < nKept; d++) cols *= x.shape[d];
  if (cols < 8) return false;
  const int64_t* strides[1] = {x.strides + nKept};
  const int64_t offsets[1] = {x.offset};
  const Walk w = coalesce(nReduce, x.shape + nKept, 1, strides, offsets);
  const int64_t rows = w.numel;
  parallelFor(cols, std::max<int64_t>(1024, kGrain / std::max<int64_t>(rows, 1)), [&](int64_t c0, int64_t c1) {
    std::vector<double> acc(static_cast<size_t>(c1 - c0), 0.0);
    walkRange(w, 0, rows, [&](const int64_t* off, int64_t n) {
      for (int64_t i = 0; i < n; i++) {
        const int64_t at = off[0] + i * w.inner(0) + c0;
        if (x.dtype == kF32)
          isa().f32.addTo(acc.data(), reinterpret_cast<const float*>(x.data) + at, c1 - c0);
        else
          isa().f64.addTo(acc.data(), reinterpret_cast<const double*>(x.data) + at, c1 - c0);
      }
    });
    for (int64_t c = c0; c < c1; c++) storeDouble(out, outDt, c, acc[static_cast<size_t>(c - c0)]);
  });
  return true;
}

/** One long contiguous float row summed by several threads; the partial sums are added in order. */
template <class T>
void splitSum(const T* row, int64_t n, char* out, int outDt, int64_t r) {
  const int64_t grain = (n + getNumThreads() - 1) / getNumThreads();
  std::vector<double> part(static_cast<size_t>((n + grain - 1) / grain), 0.0);
  parallelFor(n, grain, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; c += grain) {
      Acc acc = start(kSum);
      fold(kSum, acc, row + c, 1, std::min(grain, e - c));
      part[static_cast<size_t>(c / grain)] = acc.value;
    }
  });
  double total = 0;
  for (double p : part) total += p;
  storeDouble(out, outDt, r, total);
}

}  // namespace

void reduce(int op, const View& x, int nReduce, char* out, int outDt) {
  const int nKept = x.nd - nReduce;
  int64_t rows = 1, inner = 1;
  for (int d = 0; d < nKept; d++) rows *= x.shape[d];
  for (int d = nKept; d < x.nd; d++) inner *= x.shape[d];
  if (rows == 0) return;
  if (op == kSum && inner > 1 && rows > 1 && columnSum(x, nKept, nReduce, out, outDt)) return;
  const int64_t* rstrides[1] = {x.strides + nKept};
  const int64_t zero[1] = {0};
  const Walk rw = coalesce(nReduce, x.shape + nKept, 1, rstrides, zero);
  if (op == kSum && rows < getNumThreads() && rw.nd == 1 && rw.inner(0) == 1 && inner >= (1 << 16) &&
      (x.dtype == kF32 || x.dtype == kF64)) {
    int64_t idx[kMaxDims] = {};
    for (int64_t r = 0; r < rows; r++) {
      int64_t base = x.offset;
      for (int64_t rest = r, d = nKept - 1; d >= 0; d--) {
        idx[d] = rest % x.shape[d];
        rest /= x.shape[d];
        base += idx[d] * x.strides[d];
      }
      if (x.dtype == kF32)
        splitSum(reinterpret_cast<const float*>(x.data) + base, inner, out, outDt, r);
      else
        splitSum(reinterpret_cast<const double*>(x.data) + base, inner, out, outDt, r);
    }
    return;
  }
  switch (x.dtype) {
    case kF32:
      return reduceRows<float>(op, x, nKept, rw, inner, out, outDt);
    case kF64:
      return reduceRows<double>(op, x, nKept, rw, inner, out, outDt);
    case kI32:
      return reduceRows<int32_t>(op, x, nKept, rw, inner, out, outDt);
    default:
      return reduceRows<uint8_t>(op, x, nKept, rw, inner, out, outDt);
  }
}

}  // namespace cr
