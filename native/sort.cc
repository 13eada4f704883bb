// Stable sorting along a view's last dim. Each row is copied out as (value, position) pairs and
// sorted with the position breaking ties, so equal values keep their order in either direction.
// NaN sorts above every number, as in PyTorch: last ascending, first descending. Rows are shared
// between threads.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels.h"
#include "rows.h"

namespace cr {
namespace {

// Row elements per thread part: sorting costs log n compares per element.
constexpr int64_t kGrain = 1 << 12;

/** a < b with NaN above every number (two NaNs are equal). */
template <class T>
inline bool below(T a, T b) {
  return a < b || (a == a && b != b);
}

template <class T>
struct Entry {
  T value;
  int32_t at;
};

template <class T>
void sortRowsOf(const View& x, bool descending, const View& values, const View& indices) {
  const View* views[] = {&x, &values, &indices};
  const Rows r = rowsOf(views, 3);
  const T* xs = reinterpret_cast<const T*>(x.data);
  T* vs = reinterpret_cast<T*>(values.data);
  int32_t* is = reinterpret_cast<int32_t*>(indices.data);
  const int64_t n = r.len, sx = r.step[0], sv = r.step[1], si = r.step[2];
  const auto order = [descending](const Entry<T>& a, const Entry<T>& b) {
    const bool first = descending ? below(b.value, a.value) : below(a.value, b.value);
    const bool second = descending ? below(a.value, b.value) : below(b.value, a.value);
    return first || (!second && a.at < b.at);
  };
  forRows(r, kGrain, [&](const int64_t* at) {
    thread_local std::vector<Entry<T>> row;
    row.resize(static_cast<size_t>(n));
    const T* px = xs + at[0];
    for (int64_t i = 0; i < n; i++) row[i] = {px[i * sx], static_cast<int32_t>(i)};
    std::sort(row.begin(), row.end(), order);
    T* pv = vs + at[1];
    int32_t* pi = is + at[2];
    for (int64_t i = 0; i < n; i++) {
      pv[i * sv] = row[i].value;
      pi[i * si] = row[i].at;
    }
  });
}

}  // namespace

void sortRows(const View& x, bool descending, const View& values, const View& indices) {
  switch (x.dtype) {
    case kF32:
      return sortRowsOf<float>(x, descending, values, indices);
    case kF64:
      return sortRowsOf<double>(x, descending, values, indices);
    case kI32:
      return sortRowsOf<int32_t>(x, descending, values, indices);
    default:
      return sortRowsOf<uint8_t>(x, descending, values, indices);
  }
}

}  // namespace cr
