// gather and scatterAdd: walk the index tensor's shape; the data operand is addressed with its
// own strides at every dim but `dim`, where the index value picks the position. Negative
// indices count from the end; an out-of-range one stops the kernel and is reported.

#include "kernels.h"

namespace cr {
namespace {

/** Normalises index value v against size; false when it is out of range. */
inline bool resolve(int64_t v, int64_t size, int64_t* out) {
  if (v < 0) v += size;
  if (v < 0 || v >= size) return false;
  *out = v;
  return true;
}

template <class T>
bool gatherRuns(const Walk& w, const View& x, int dim, const View& index, char* out, int64_t* bad) {
  const int32_t* idx = reinterpret_cast<const int32_t*>(index.data);
  const T* xs = reinterpret_cast<const T*>(x.data);
  T* o = reinterpret_cast<T*>(out);
  const int64_t size = x.shape[dim], step = x.strides[dim];
  const int64_t si = w.inner(0), sx = w.inner(1);
  bool ok = true;
  walkRange(w, 0, w.numel, [&](const int64_t* off, int64_t n) {
    if (!ok) return;
    int64_t i = off[0], xo = off[1], k = off[2];
    for (int64_t e = k + n; k < e; k++, i += si, xo += sx) {
      int64_t at;
      if (!resolve(idx[i], size, &at)) {
        *bad = idx[i];
        ok = false;
        return;
      }
      o[k] = xs[xo + at * step];
    }
  });
  return ok;
}

}  // namespace

bool gather(const View& x, int dim, const View& index, char* out, int64_t* bad) {
  int64_t xs[kMaxDims], os[kMaxDims];
  int64_t s = 1;
  for (int d = index.nd - 1; d >= 0; d--) {
    xs[d] = d == dim ? 0 : x.strides[d];
    os[d] = s;
    s *= index.shape[d] > 1 ? index.shape[d] : 1;
  }
  const int64_t* strides[3] = {index.strides, xs, os};
  const int64_t offsets[3] = {index.offset, x.offset, 0};
  const Walk w = coalesce(index.nd, index.shape, 3, strides, offsets);
  switch (elemSize(x.dtype)) {
    case 8:
      return gatherRuns<uint64_t>(w, x, dim, index, out, bad);
    case 4:
      return gatherRuns<uint32_t>(w, x, dim, index, out, bad);
    default:
      return gatherRuns<uint8_t>(w, x, dim, index, out, bad);
  }
}

bool scatterAdd(char* dst, int dstDt, int nd, const int64_t* dstShape, int dim, const View& index, const View& src,
                int64_t* bad) {
  int64_t ds[kMaxDims];
  int64_t s = 1, step = 1;
  for (int d = nd - 1; d >= 0; d--) {
    ds[d] = d == dim ? 0 : s;
    if (d == dim) step = s;
    s *= dstShape[d] > 1 ? dstShape[d] : 1;
  }
  const int64_t* strides[3] = {index.strides, src.strides, ds};
  const int64_t offsets[3] = {index.offset, src.offset, 0};
  const Walk w = coalesce(index.nd, index.shape, 3, strides, offsets);
  const int32_t* idx = reinterpret_cast<const int32_t*>(index.data);
  const int64_t size = dstShape[dim];
  const int64_t si = w.inner(0), ss = w.inner(1), sd = w.inner(2);
  bool ok = true;
  walkRange(w, 0, w.numel, [&](const int64_t* off, int64_t n) {
    if (!ok) return;
    int64_t i = off[0], so = off[1], o = off[2];
    for (int64_t k = 0; k < n; k++, i += si, so += ss, o += sd) {
      int64_t at;
      if (!resolve(idx[i], size, &at)) {
        *bad = idx[i];
        ok = false;
        return;
      }
      const int64_t t = o + at * step;
      if (dstDt == kF32 && src.dtype == kF32)
        reinterpret_cast<float*>(dst)[t] += reinterpret_cast<const float*>(src.data)[so];
      else if (dstDt == kF64 && src.dtype == kF64)
        reinterpret_cast<double*>(dst)[t] += reinterpret_cast<const double*>(src.data)[so];
      else
        storeDouble(dst, dstDt, t, loadAsDouble(dst, dstDt, t) + loadAsDouble(src.data, src.dtype, so));
    }
  });
  return ok;
}

}  // namespace cr
