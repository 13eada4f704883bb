// Softmax and log-softmax along a view's last dim, and their gradients: each row is read in
// place (any strides), shifted by its maximum before exp so nothing overflows, and summed in
// double. A NaN anywhere in a row makes the row NaN, as in the reference and PyTorch. Rows are
// shared between threads.

#include <cmath>
#include <limits>

#include "isa.h"
#include "kernels.h"
#include "rows.h"
#include "thread-pool.h"

namespace cr {
namespace {

// Row elements per thread part: exp costs several times an add, as elementwise.cc's costly grain.
constexpr int64_t kGrain = 1 << 11;

template <class T>
void softmaxRows(const View& x, const View& out, bool log) {
  const View* views[] = {&x, &out};
  const Rows r = rowsOf(views, 2);
  const T* xs = reinterpret_cast<const T*>(x.data);
  T* os = reinterpret_cast<T*>(out.data);
  const int64_t n = r.len, sx = r.step[0], so = r.step[1];
  forRows(r, kGrain, [&](const int64_t* at) {
    const T* px = xs + at[0];
    T* po = os + at[1];
    T max = -std::numeric_limits<T>::infinity();
    for (int64_t i = 0; i < n; i++) {
      const T v = px[i * sx];
      if (v != v) {
        max = v;
        break;
      }
      if (v > max) max = v;
    }
    if (sx == 1 && so == 1) {
      // contiguous rows: the exponentials land in the output row itself, vectorised
      const FloatLoops<T>& loops = floatLoops<T>();
      loops.expShift(px, max, po, n);
      const double sum = loops.sum(po, n);
      if (log) {
        // (x − max) − log Σ, as the reference: max + log Σ first would round away a log Σ below max's ulp
        const double m = static_cast<double>(max), logSum = std::log(sum);
        for (int64_t i = 0; i < n; i++) po[i] = static_cast<T>((static_cast<double>(px[i]) - m) - logSum);
      } else {
        const T scale = static_cast<T>(1 / sum);
        for (int64_t i = 0; i < n; i++) po[i] *= scale;
      }
      return;
    }
    double sum = 0;
    for (int64_t i = 0; i < n; i++) sum += static_cast<double>(std::exp(px[i * sx] - max));
    if (log) {
      const double m = static_cast<double>(max), logSum = std::log(sum);
      for (int64_t i = 0; i < n; i++) po[i * so] = static_cast<T>((static_cast<double>(px[i * sx]) - m) - logSum);
    } else {
      const double scale = 1 / sum;
      for (int64_t i = 0; i < n; i++) po[i * so] = static_cast<T>(static_cast<double>(std::exp(px[i * sx] - max)) * scale);
    }
  });
}

template <class T>
void softmaxBackwardRows(const View& g, const View& y, const View& out, bool log) {
  const View* views[] = {&g, &y, &out};
  const Rows r = rowsOf(views, 3);
  const T* gs = reinterpret_cast<const T*>(g.data);
  const T* ys = reinterpret_cast<const T*>(y.data);
  T* os = reinterpret_cast<T*>(out.data);
  const int64_t n = r.len, sg = r.step[0], sy = r.step[1], so = r.step[2];
  forRows(r, kGrain, [&](const int64_t* at) {
    const T* pg = gs + at[0];
    const T* py = ys + at[1];
    T* po = os + at[2];
    double s = 0;
    if (log && sg == 1 && sy == 1 && so == 1) {
      const FloatLoops<T>& loops = floatLoops<T>();
      s = loops.sum(pg, n);
      loops.expShift(py, T(0), po, n);
      for (int64_t i = 0; i < n; i++) po[i] = static_cast<T>(static_cast<double>(pg[i]) - static_cast<double>(po[i]) * s);
    } else if (log) {
      for (int64_t i = 0; i < n; i++) s += static_cast<double>(pg[i * sg]);
      for (int64_t i = 0; i < n; i++)
        po[i * so] = static_cast<T>(static_cast<double>(pg[i * sg]) - static_cast<double>(std::exp(py[i * sy])) * s);
    } else {
      for (int64_t i = 0; i < n; i++) s += static_cast<double>(pg[i * sg]) * static_cast<double>(py[i * sy]);
      for (int64_t i = 0; i < n; i++)
        po[i * so] = static_cast<T>(static_cast<double>(py[i * sy]) * (static_cast<double>(pg[i * sg]) - s));
    }
  });
}

}  // namespace

void softmax(const View& x, const View& out, bool log) {
  if (x.dtype == kF32)
    softmaxRows<float>(x, out, log);
  else
    softmaxRows<double>(x, out, log);
}

void softmaxBackward(const View& g, const View& y, const View& out, bool log) {
  if (g.dtype == kF32)
    softmaxBackwardRows<float>(g, y, out, log);
  else
    softmaxBackwardRows<double>(g, y, out, log);
}

}  // namespace cr
