// Reductions over the trailing dims of a view. Contiguous rows reduce in place (float sums in
// double with vector accumulators); sums over leading dims of a view whose kept dims are
// contiguous (a bias gradient) add whole rows into a double accumulator; any other layout is
// first copied to a dense buffer, as the reference does.

#include <algorithm>
#include <vector>

#include "isa.h"
#include "kernels.h"
#include "thread-pool.h"

namespace cr {
namespace {

/** op over x[base + i*stride] for i < n, of any dtype, with the reference's NaN rules. */
double reduceRow(int op, const char* x, int dt, int64_t base, int64_t stride, int64_t n) {
  switch (op) {
    case kSum: {
      if (stride == 1 && dt == kF32) return isa().f32.sum(reinterpret_cast<const float*>(x) + base, n);
      if (stride == 1 && dt == kF64) return isa().f64.sum(reinterpret_cast<const double*>(x) + base, n);
      double acc = 0;
      for (int64_t i = 0; i < n; i++) acc += loadAsDouble(x, dt, base + i * stride);
      return acc;
    }
    case kProd: {
      double acc = 1;
      for (int64_t i = 0; i < n; i++) acc *= loadAsDouble(x, dt, base + i * stride);
      return acc;
    }
    default: {
      // a NaN anywhere wins, and its position is the arg; ties keep the first position
      const bool isMax = op == kMax || op == kArgmax;
      double best = isMax ? -INFINITY : INFINITY;
      int64_t at = 0;
      for (int64_t i = 0; i < n; i++) {
        const double v = loadAsDouble(x, dt, base + i * stride);
        if ((isMax ? v > best : v < best) || v != v) {
          best = v;
          at = i;
          if (v != v) break;
        }
      }
      if (op == kArgmax || op == kArgmin) return static_cast<double>(at);
      return n == 0 ? NAN : best;
    }
  }
}

/** Offsets of the first element of each of `count` kept positions (row-major over kept dims). */
void keptOffsets(const View& x, int nKept, int64_t count, int64_t* out) {
  int64_t idx[kMaxDims] = {};
  int64_t off = x.offset;
  for (int64_t r = 0; r < count; r++) {
    out[r] = off;
    for (int d = nKept - 1; d >= 0; d--) {
      off += x.strides[d];
      if (++idx[d] < x.shape[d]) break;
      off -= x.strides[d] * x.shape[d];
      idx[d] = 0;
    }
  }
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
  parallelFor(cols, 1024, [&](int64_t c0, int64_t c1) {
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

}  // namespace

void reduce(int op, const View& x, int nReduce, char* out, int outDt) {
  const int nKept = x.nd - nReduce;
  int64_t rows = 1, inner = 1;
  for (int d = 0; d < nKept; d++) rows *= x.shape[d];
  for (int d = nKept; d < x.nd; d++) inner *= x.shape[d];
  if (rows == 0) return;
  if (op == kSum && inner > 1 && rows > 1 && columnSum(x, nKept, nReduce, out, outDt)) return;

  // the reduced dims as one run: in place when they coalesce to one dim, else a dense copy
  const int64_t* rstrides[1] = {x.strides + nKept};
  const int64_t zero[1] = {0};
  const Walk rw = coalesce(nReduce, x.shape + nKept, 1, rstrides, zero);
  const View* src = &x;
  View dense;
  std::vector<char> buffer;
  int64_t stride = rw.inner(0);
  if (rw.nd > 1) {
    dense.dtype = x.dtype;
    dense.nd = x.nd;
    int64_t s = 1;
    for (int d = x.nd - 1; d >= 0; d--) {
      dense.shape[d] = x.shape[d];
      dense.strides[d] = s;
      s *= x.shape[d] > 1 ? x.shape[d] : 1;
    }
    buffer.resize(static_cast<size_t>(rows * inner * elemSize(x.dtype)));
    dense.data = buffer.data();
    copyView(x, dense);
    src = &dense;
    stride = 1;
  }
  std::vector<int64_t> offs(static_cast<size_t>(rows));
  keptOffsets(*src, nKept, rows, offs.data());
  if (op == kSum && stride == 1 && rows < getNumThreads() && inner >= (1 << 16)) {
    // few long rows: each thread sums a slice, the partial sums are added in order
    const int64_t grain = (inner + getNumThreads() - 1) / getNumThreads();
    for (int64_t r = 0; r < rows; r++) {
      std::vector<double> part(static_cast<size_t>((inner + grain - 1) / grain), 0.0);
      const int64_t base = offs[static_cast<size_t>(r)];
      parallelFor(inner, grain, [&](int64_t b, int64_t e) {
        for (int64_t c = b; c < e; c += grain)
          part[static_cast<size_t>(c / grain)] = reduceRow(kSum, src->data, src->dtype, base + c, 1, std::min(grain, e - c));
      });
      double total = 0;
      for (double p : part) total += p;
      storeDouble(out, outDt, r, total);
    }
    return;
  }
  const int64_t grain = inner >= 4096 ? 1 : 4096 / (inner + 1) + 1;
  parallelFor(rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++)
      storeDouble(out, outDt, r, reduceRow(op, src->data, src->dtype, offs[static_cast<size_t>(r)], stride, inner));
  });
}

}  // namespace cr
