// Inclusive scans along a view's last dim: running sums and products accumulated in double (as
// the reference does) and stored with typed-array semantics, running log-sum-exps, and running
// extremes with where they were taken: the later position on ties, and a NaN wins and stays, as
// PyTorch's cummax and cummin. Rows are shared between threads.

#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels.h"
#include "rows.h"

namespace cr {
namespace {

// Row elements per thread part: a scan is one dependent add per element.
constexpr int64_t kGrain = 1 << 14;

/** log(e^a + e^b) without overflow; equal infinities stay as they are, a NaN makes NaN. */
inline double logAddExp(double a, double b) {
  if (a != a || b != b) return a + b;
  const double hi = a > b ? a : b;
  const double lo = a > b ? b : a;
  // NOTE: -inf with -inf (or inf with inf) would give inf - inf = NaN through the shifted form
  if (lo == hi && !std::isfinite(lo)) return lo;
  return hi + std::log1p(std::exp(lo - hi));
}

template <class T>
void accumulateRows(int op, const View& x, const View& out) {
  const View* views[] = {&x, &out};
  const Rows r = rowsOf(views, 2);
  const T* xs = reinterpret_cast<const T*>(x.data);
  T* os = reinterpret_cast<T*>(out.data);
  const int64_t n = r.len, sx = r.step[0], so = r.step[1];
  const double start = op == scanop::kSum ? 0 : op == scanop::kProd ? 1 : -std::numeric_limits<double>::infinity();
  forRows(r, kGrain, [&](const int64_t* at) {
    const T* px = xs + at[0];
    T* po = os + at[1];
    double acc = start;
    for (int64_t i = 0; i < n; i++) {
      const double v = static_cast<double>(px[i * sx]);
      acc = op == scanop::kSum ? acc + v : op == scanop::kProd ? acc * v : logAddExp(acc, v);
      po[i * so] = Store<T>::from(acc);
    }
  });
}

template <class T>
void extremeRows(bool max, const View& x, const View& out, const View* indices) {
  const View* views[] = {&x, &out, indices};
  const Rows r = rowsOf(views, indices ? 3 : 2);
  const T* xs = reinterpret_cast<const T*>(x.data);
  T* os = reinterpret_cast<T*>(out.data);
  int32_t* is = indices ? reinterpret_cast<int32_t*>(indices->data) : nullptr;
  const int64_t n = r.len, sx = r.step[0], so = r.step[1], si = indices ? r.step[2] : 0;
  forRows(r, kGrain, [&](const int64_t* at) {
    const T* px = xs + at[0];
    T* po = os + at[1];
    int32_t* pi = is ? is + at[2] : nullptr;
    T best = px[0];
    int32_t where = 0;
    for (int64_t i = 0; i < n; i++) {
      const T v = px[i * sx];
      // v != v only for a NaN; once best is NaN nothing but another NaN replaces it
      if (v != v || (best == best && (max ? v >= best : v <= best))) {
        best = v;
        where = static_cast<int32_t>(i);
      }
      po[i * so] = best;
      if (pi) pi[i * si] = where;
    }
  });
}

template <class T>
void scanRows(int op, const View& x, const View& out, const View* indices) {
  if (op == scanop::kMax || op == scanop::kMin)
    extremeRows<T>(op == scanop::kMax, x, out, indices);
  else
    accumulateRows<T>(op, x, out);
}

}  // namespace

void scan(int op, const View& x, const View& out, const View* indices) {
  switch (x.dtype) {
    case kF32:
      return scanRows<float>(op, x, out, indices);
    case kF64:
      return scanRows<double>(op, x, out, indices);
    case kI32:
      return scanRows<int32_t>(op, x, out, indices);
    default:
      return scanRows<uint8_t>(op, x, out, indices);
  }
}

}  // namespace cr
