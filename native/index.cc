// gather, scatterAdd and scatterReduce: walk the index tensor's shape; the data operand is
// addressed with its own strides at every dim but `dim`, where the index value picks the
// position. Negative indices count from the end; an out-of-range one stops the kernel and is
// reported.

#include <algorithm>
#include <atomic>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels.h"
#include "thread-pool.h"

namespace cr {
namespace {

// Index elements per part below which a scatter stays on one thread.
constexpr int64_t kScatterGrain = 1 << 14;
// Bytes of dst zeroed at a time just ahead of the scatter (well inside L1).
constexpr int64_t kZeroChunk = 1 << 15;

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

namespace {

/**
 * Walks index, src and dst together and calls add(t, s): dst element t += src element s, where t
 * is picked by the index value. False (and *bad) at the first out-of-range index.
 */
template <class Add>
bool scatterWalk(const Walk& w, int64_t size, int64_t step, const View& index, int64_t* bad, Add&& add) {
  const int32_t* idx = reinterpret_cast<const int32_t*>(index.data);
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
      add(o + at * step, so);
    }
  });
  return ok;
}

/**
 * The walk of a scatter into contiguous dst of dstShape: index, src, and dst with its stride along
 * dim zeroed (the index value supplies that coordinate, times *step).
 */
Walk scatterWalkOver(int nd, const int64_t* dstShape, int dim, const View& index, const View& src, int64_t* step) {
  int64_t ds[kMaxDims];
  int64_t s = 1;
  for (int d = nd - 1; d >= 0; d--) {
    ds[d] = d == dim ? 0 : s;
    if (d == dim) *step = s;
    s *= dstShape[d] > 1 ? dstShape[d] : 1;
  }
  const int64_t* strides[3] = {index.strides, src.strides, ds};
  const int64_t offsets[3] = {index.offset, src.offset, 0};
  return coalesce(index.nd, index.shape, 3, strides, offsets);
}

template <class T>
bool scatterRuns(const Walk& w, char* dst, int64_t size, int64_t step, const View& index, const View& src, int64_t* bad) {
  const T* sp = reinterpret_cast<const T*>(src.data);
  T* d = reinterpret_cast<T*>(dst);
  return scatterWalk(w, size, step, index, bad, [&](int64_t t, int64_t so) {
    // int and bool sums wrap like typed-array stores of the exact sum
    if constexpr (std::is_same_v<T, int32_t>)
      d[t] = static_cast<int32_t>(static_cast<uint32_t>(d[t]) + static_cast<uint32_t>(sp[so]));
    else
      d[t] = static_cast<T>(d[t] + sp[so]);
  });
}

bool scatterSerial(char* dst, int dstDt, int nd, const int64_t* dstShape, int dim, const View& index, const View& src,
                   int64_t* bad) {
  int64_t step = 1;
  const Walk w = scatterWalkOver(nd, dstShape, dim, index, src, &step);
  const int64_t size = dstShape[dim];
  if (dstDt == src.dtype) {
    switch (dstDt) {
      case kF32:
        return scatterRuns<float>(w, dst, size, step, index, src, bad);
      case kF64:
        return scatterRuns<double>(w, dst, size, step, index, src, bad);
      case kI32:
        return scatterRuns<int32_t>(w, dst, size, step, index, src, bad);
      default:
        return scatterRuns<uint8_t>(w, dst, size, step, index, src, bad);
    }
  }
  return scatterWalk(w, size, step, index, bad, [&](int64_t t, int64_t so) {
    storeDouble(dst, dstDt, t, loadAsDouble(dst, dstDt, t) + loadAsDouble(src.data, src.dtype, so));
  });
}

}  // namespace

bool scatterAdd(char* dst, int dstDt, int nd, const int64_t* dstShape, int dim, const View& index, const View& src,
                int64_t* bad, bool zeroFirst) {
  int64_t slice = elemSize(dstDt);
  for (int d = 1; d < nd; d++) slice *= dstShape[d];
  if (dim == 0 || nd < 2) return scatterSerial(dst, dstDt, nd, dstShape, dim, index, src, bad);
  // scattering along dim d > 0 keeps every other coordinate: slices along dim 0 write disjoint
  // parts of dst, so they can go to different threads (the pooling backward's planes). Zeros are
  // written a few slices at a time just before the scatter reaches them, so the adds find them
  // in L1 instead of a separate pass over all of dst leaving them in memory.
  const int64_t outer = index.shape[0];
  const int64_t chunk = zeroFirst && slice > 0 ? std::max<int64_t>(1, kZeroChunk / slice) : outer;
  std::atomic<bool> ok{true};
  std::atomic<int64_t> firstBad{0};
  auto slices = [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e && ok; c += chunk) {
      const int64_t ce = std::min(e, c + chunk);
      if (zeroFirst) std::memset(dst + c * slice, 0, static_cast<size_t>((ce - c) * slice));
      View is = index, ss = src;
      is.shape[0] = ss.shape[0] = ce - c;
      is.offset += c * index.strides[0];
      ss.offset += c * src.strides[0];
      int64_t shape[kMaxDims];
      for (int d = 0; d < nd; d++) shape[d] = dstShape[d];
      shape[0] = ce - c;
      int64_t badHere = 0;
      if (!scatterSerial(dst + c * slice, dstDt, nd, shape, dim, is, ss, &badHere)) {
        firstBad = badHere;
        ok = false;
      }
    }
  };
  if (outer < 2 || index.numel() < kScatterGrain || getNumThreads() < 2)
    slices(0, outer);
  else
    parallelFor(outer, std::max<int64_t>(1, kScatterGrain * outer / index.numel()), slices);
  // slices the index does not reach along dim 0 get no adds, only their zeros
  if (zeroFirst && outer < dstShape[0])
    std::memset(dst + outer * slice, 0, static_cast<size_t>((dstShape[0] - outer) * slice));
  if (!ok) *bad = firstBad;
  return ok;
}

namespace {

// scatterReduce's modes, in the order of the TypeScript scatterReduceOps list.
enum Mode : int { kAssign = 0, kSum = 1, kProd = 2, kAmax = 3, kAmin = 4 };

template <class T>
inline bool isNan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return v != v;
  else
    return false;
}

template <class T>
inline T combine(int mode, T a, T b) {
  if constexpr (std::is_same_v<T, int32_t>) {
    // int sums and products wrap, as the reference's typed-array stores and Math.imul do
    if (mode == kSum) return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
    if (mode == kProd) return static_cast<int32_t>(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
  }
  switch (mode) {
    case kSum:
      return static_cast<T>(a + b);
    case kProd:
      return static_cast<T>(a * b);
    case kAmax:
      return isNan(a) ? a : isNan(b) ? b : a > b ? a : b;
    case kAmin:
      return isNan(a) ? a : isNan(b) ? b : a < b ? a : b;
    default:
      return b;
  }
}

template <class T>
bool reduceRuns(const Walk& w, char* dst, int64_t size, int64_t step, const View& index, const View& src, int mode,
                uint8_t* touched, int64_t* bad) {
  const T* sp = reinterpret_cast<const T*>(src.data);
  T* d = reinterpret_cast<T*>(dst);
  return scatterWalk(w, size, step, index, bad, [&](int64_t t, int64_t so) {
    if (touched && !touched[t]) {
      touched[t] = 1;
      d[t] = sp[so];
    } else {
      d[t] = combine<T>(mode, d[t], sp[so]);
    }
  });
}

}  // namespace

// One thread, in index order: the order of the writes decides "assign", as in PyTorch's CPU loop.
bool scatterReduce(char* dst, int dt, int nd, const int64_t* dstShape, int dim, const View& index, const View& src,
                   int reduce, bool includeSelf, int64_t* bad) {
  int64_t step = 1;
  const Walk w = scatterWalkOver(nd, dstShape, dim, index, src, &step);
  // without includeSelf a position's first value replaces what is there
  std::vector<uint8_t> touched;
  if (!includeSelf && reduce != kAssign) {
    int64_t n = 1;
    for (int d = 0; d < nd; d++) n *= dstShape[d];
    touched.assign(static_cast<size_t>(n), 0);
  }
  uint8_t* t = touched.empty() ? nullptr : touched.data();
  const int64_t size = dstShape[dim];
  switch (dt) {
    case kF32:
      return reduceRuns<float>(w, dst, size, step, index, src, reduce, t, bad);
    case kF64:
      return reduceRuns<double>(w, dst, size, step, index, src, reduce, t, bad);
    case kI32:
      return reduceRuns<int32_t>(w, dst, size, step, index, src, reduce, t, bad);
    default:
      return reduceRuns<uint8_t>(w, dst, size, step, index, src, reduce, t, bad);
  }
}

}  // namespace cr
