// Kernels that move elements between strided views: copy (with dtype conversion), where (a
// select of two operands by a mask) and axpy (out += alpha * x, which may add into an element
// several times). Transposed and short-run layouts have their own tiled and blocked loops.

#include <cstring>
#include <type_traits>

#include "elementwise-walk.h"
#include "isa.h"
#include "kernels.h"

namespace cr {
namespace {

// ---- copy ---------------------------------------------------------------------------------

template <class S, class D>
inline D convert(S v) {
  if constexpr (std::is_same_v<D, uint8_t>) return truthy(static_cast<double>(v)) ? 1 : 0;
  else if constexpr (std::is_same_v<D, int32_t> && std::is_floating_point_v<S>) return toInt32(v);
  else return static_cast<D>(v);
}

using CopyRun = void (*)(const char* s, int64_t so, int64_t ss, char* d, int64_t dOff, int64_t ds, int64_t n);

template <class S, class D>
void copyRun(const char* s, int64_t so, int64_t ss, char* d, int64_t dOff, int64_t ds, int64_t n) {
  const S* sp = reinterpret_cast<const S*>(s) + so;
  D* dp = reinterpret_cast<D*>(d) + dOff;
  if constexpr (std::is_same_v<S, D>) {
    if (ss == 1 && ds == 1) {
      std::memcpy(dp, sp, sizeof(S) * n);
      return;
    }
  }
  if (ss == 1 && ds == 1) {
    for (int64_t i = 0; i < n; i++) dp[i] = convert<S, D>(sp[i]);
  } else {
    for (int64_t i = 0; i < n; i++) dp[i * ds] = convert<S, D>(sp[i * ss]);
  }
}

template <class S>
CopyRun copyTo(int dt) {
  switch (dt) {
    case kF32:
      return copyRun<S, float>;
    case kF64:
      return copyRun<S, double>;
    case kI32:
      return copyRun<S, int32_t>;
    default:
      return copyRun<S, uint8_t>;
  }
}

CopyRun pickCopy(int sdt, int ddt) {
  switch (sdt) {
    case kF32:
      return copyTo<float>(ddt);
    case kF64:
      return copyTo<double>(ddt);
    case kI32:
      return copyTo<int32_t>(ddt);
    default:
      return copyTo<uint8_t>(ddt);
  }
}

/**
 * A copy whose destination rows are dense but whose source walks them with a large stride while
 * the next dim out has stride ±1 (a transposed matrix): done in square tiles so each source
 * cache line is used whole instead of once per row.
 */
template <class T>
void transposeCopy(const Walk& w, const View& src, const View& dst) {
  const int nd = w.nd;
  const int64_t rows = w.shape[nd - 2], cols = w.shape[nd - 1];
  const int64_t sr = w.strides[0][nd - 2], sc = w.strides[0][nd - 1], dr = w.strides[1][nd - 2];
  int64_t lead = 1;
  for (int d = 0; d < nd - 2; d++) lead *= w.shape[d];
  constexpr int64_t kTile = 32;
  const int64_t rowTiles = (rows + kTile - 1) / kTile;
  const T* s = reinterpret_cast<const T*>(src.data);
  T* o = reinterpret_cast<T*>(dst.data);
  parallelFor(lead * rowTiles, std::max<int64_t>(1, kCheapGrain / (kTile * cols) + 1), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      // offsets of this slab of the leading dims
      int64_t so = w.base[0], doff = w.base[1];
      for (int64_t rest = t / rowTiles, d = nd - 3; d >= 0; d--) {
        const int64_t i = rest % w.shape[d];
        rest /= w.shape[d];
        so += i * w.strides[0][d];
        doff += i * w.strides[1][d];
      }
      const int64_t r0 = (t % rowTiles) * kTile, r1 = std::min(rows, r0 + kTile);
      // a source with ascending rows goes through the ISA's in-register transposes
      if constexpr (sizeof(T) == 4 || sizeof(T) == 8) {
        if (sr == 1) {
          using F = std::conditional_t<sizeof(T) == 4, float, double>;
          const F* from = reinterpret_cast<const F*>(s + so + r0);
          F* to = reinterpret_cast<F*>(o + doff + r0 * dr);
          if constexpr (sizeof(T) == 4)
            isa().f32.transpose(from, sc, to, dr, r1 - r0, cols);
          else
            isa().f64.transpose(from, sc, to, dr, r1 - r0, cols);
          continue;
        }
      }
      for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
        const int64_t c1 = std::min(cols, c0 + kTile);
        for (int64_t r = r0; r < r1; r++) {
          const T* sp = s + so + r * sr;
          T* op = o + doff + r * dr;
          for (int64_t c = c0; c < c1; c++) op[c] = sp[c * sc];
        }
      }
    }
  });
}

/** A same-dtype copy of short runs (a convolution's im2col), block by block. */
template <class T>
void shortRunsCopy(const Walk& w, const View& src, const View& dst) {
  const int nd = w.nd;
  const int64_t rows = w.shape[nd - 2], cols = w.shape[nd - 1];
  const int64_t sr = w.strides[0][nd - 2], sc = w.strides[0][nd - 1];
  const int64_t dr = w.strides[1][nd - 2], dc = w.strides[1][nd - 1];
  const T* s = reinterpret_cast<const T*>(src.data);
  T* d = reinterpret_cast<T*>(dst.data);
  forBlocks(w, kCheapGrain, [&](const int64_t* off) {
    const T* sp = s + off[0];
    T* dp = d + off[1];
    if (sc == 1 && dc == 1) {
      if constexpr (sizeof(T) == 4)
        return isa().f32.copyRows(reinterpret_cast<const float*>(sp), sr, reinterpret_cast<float*>(dp), dr, rows, cols);
      else if constexpr (sizeof(T) == 8)
        return isa().f64.copyRows(reinterpret_cast<const double*>(sp), sr, reinterpret_cast<double*>(dp), dr, rows,
                                  cols);
    }
    for (int64_t r = 0; r < rows; r++)
      for (int64_t c = 0; c < cols; c++) dp[r * dr + c * dc] = sp[r * sr + c * sc];
  });
}

bool isTranspose(const Walk& w) {
  const int nd = w.nd;
  if (nd < 2) return false;
  const int64_t sc = w.strides[0][nd - 1], sr = w.strides[0][nd - 2];
  return w.strides[1][nd - 1] == 1 && (sr == 1 || sr == -1) && (sc > 8 || sc < -8) && w.shape[nd - 1] >= 8;
}

// ---- where --------------------------------------------------------------------------------

/** a where the mask is all ones, b where it is zero: a select without a branch to mispredict. */
template <class T>
inline T pick(uint8_t c, T a, T b) {
  const T m = static_cast<T>(0) - static_cast<T>(c != 0);
  return (a & m) | (b & ~m);
}

template <class T>
void whereRun(const View& c, const View& a, const View& b, const int64_t* off, const int64_t* st, char* o, int64_t n) {
  const T* ap = reinterpret_cast<const T*>(a.data) + off[1];
  const T* bp = reinterpret_cast<const T*>(b.data) + off[2];
  T* out = reinterpret_cast<T*>(o) + off[3];
  if (c.dtype != kBool) {
    int64_t ci = off[0];
    for (int64_t i = 0; i < n; i++, ci += st[0])
      out[i] = pick<T>(truthy(loadAsDouble(c.data, c.dtype, ci)), ap[i * st[1]], bp[i * st[2]]);
    return;
  }
  const uint8_t* cp = reinterpret_cast<const uint8_t*>(c.data) + off[0];
  // the common layouts as plain loops the compiler vectorises: dense, or branches that are scalars
  if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
    for (int64_t i = 0; i < n; i++) out[i] = pick<T>(cp[i], ap[i], bp[i]);
  } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {
    for (int64_t i = 0; i < n; i++) out[i] = pick<T>(cp[i], ap[i], *bp);
  } else if (st[0] == 1 && st[1] == 0 && st[2] == 1) {
    for (int64_t i = 0; i < n; i++) out[i] = pick<T>(cp[i], *ap, bp[i]);
  } else if (st[0] == 1 && st[1] == 0 && st[2] == 0) {
    for (int64_t i = 0; i < n; i++) out[i] = pick<T>(cp[i], *ap, *bp);
  } else {
    for (int64_t i = 0; i < n; i++) out[i] = pick<T>(cp[i * st[0]], ap[i * st[1]], bp[i * st[2]]);
  }
}

// ---- axpy ---------------------------------------------------------------------------------

template <class T>
void axpyRun(T alpha, const T* __restrict x, int64_t sx, T* __restrict out, int64_t so, int64_t n) {
  if (sx == 1 && so == 1) {
    for (int64_t i = 0; i < n; i++) out[i] += alpha * x[i];
  } else if (sx == 0 && so == 1) {
    // one value added along the run (a bias over a channel's plane): a vector loop, not a gather
    const T v = alpha * x[0];
    for (int64_t i = 0; i < n; i++) out[i] += v;
  } else if (so == 1) {
    for (int64_t i = 0; i < n; i++) out[i] += alpha * x[i * sx];
  } else {
    for (int64_t i = 0; i < n; i++) out[i * so] += alpha * x[i * sx];
  }
}

/** `rows` short rows of out += alpha * x: the ISA's masked vector rows when both are contiguous. */
template <class T>
void axpyBlock(T alpha, const T* x, int64_t xr, int64_t sx, T* out, int64_t orow, int64_t so, int64_t rows,
               int64_t cols) {
  if (sx == 1 && so == 1) return floatLoops<T>().axpyRows(alpha, x, xr, out, orow, rows, cols);
  for (int64_t r = 0; r < rows; r++) axpyRun(alpha, x + r * xr, sx, out + r * orow, so, cols);
}

}  // namespace

/**
 * Calls f with a value of the unsigned type as wide as one element of `dtype`: a copy within one
 * dtype moves bits, so three instances serve all four dtypes.
 */
template <class F>
inline void withBitsOf(int dtype, F&& f) {
  switch (elemSize(dtype)) {
    case 8:
      return f(uint64_t{});
    case 4:
      return f(uint32_t{});
    default:
      return f(uint8_t{});
  }
}

void copyView(const View& src, const View& dst) {
  const int64_t* strides[2] = {src.strides, dst.strides};
  const int64_t offsets[2] = {src.offset, dst.offset};
  const Walk w = coalesce(src.nd, src.shape, 2, strides, offsets);
  if (src.dtype == dst.dtype && isTranspose(w))
    return withBitsOf(src.dtype, [&](auto bits) { transposeCopy<decltype(bits)>(w, src, dst); });
  if (src.dtype == dst.dtype && shortRuns(w))
    return withBitsOf(src.dtype, [&](auto bits) { shortRunsCopy<decltype(bits)>(w, src, dst); });
  const CopyRun run = pickCopy(src.dtype, dst.dtype);
  const int64_t ss = w.inner(0), ds = w.inner(1);
  forAll(w, kCheapGrain, [&](const int64_t* off, int64_t n) { run(src.data, off[0], ss, dst.data, off[1], ds, n); });
}

void where(const View& cond, const View& a, const View& b, char* out, int outDt) {
  int64_t os[kMaxDims];
  contiguousStrides(a.nd, a.shape, os);
  const int64_t* strides[4] = {cond.strides, a.strides, b.strides, os};
  const int64_t offsets[4] = {cond.offset, a.offset, b.offset, 0};
  const Walk w = coalesce(a.nd, a.shape, 4, strides, offsets);
  const int64_t st[3] = {w.inner(0), w.inner(1), w.inner(2)};
  if (a.dtype == outDt && b.dtype == outDt) {
    forAll(w, kCheapGrain, [&](const int64_t* off, int64_t n) {
      switch (elemSize(outDt)) {
        case 8:
          return whereRun<uint64_t>(cond, a, b, off, st, out, n);
        case 4:
          return whereRun<uint32_t>(cond, a, b, off, st, out, n);
        default:
          return whereRun<uint8_t>(cond, a, b, off, st, out, n);
      }
    });
    return;
  }
  forAll(w, kCheapGrain, [&](const int64_t* off, int64_t n) {
    int64_t ci = off[0], ai = off[1], bi = off[2];
    for (int64_t i = 0; i < n; i++, ci += st[0], ai += st[1], bi += st[2]) {
      const bool c = truthy(loadAsDouble(cond.data, cond.dtype, ci));
      storeDouble(out, outDt, off[3] + i, c ? loadAsDouble(a.data, a.dtype, ai) : loadAsDouble(b.data, b.dtype, bi));
    }
  });
}

void axpy(double alpha, const View& x, const View& out) {
  const int64_t* strides[2] = {x.strides, out.strides};
  const int64_t offsets[2] = {x.offset, out.offset};
  const Walk w = coalesce(x.nd, x.shape, 2, strides, offsets);
  const int64_t sx = w.inner(0), so = w.inner(1);
  const int dt = x.dtype;
  char* o = out.data;
  // where out names an element more than once (overlapping windows), only slices of the leading
  // dims that stay apart in out may run on different threads; each slice adds in walk order
  const int split = disjointLead(w, 1);
  if ((dt == kF32 || dt == kF64) && shortRuns(w)) {
    // a fold: rows of a few windows each
    const int64_t rows = w.shape[w.nd - 2], cols = w.shape[w.nd - 1];
    const int64_t xr = w.strides[0][w.nd - 2], orow = w.strides[1][w.nd - 2];
    forBlocks(w, kCheapGrain, [&](const int64_t* off) {
      if (dt == kF32)
        axpyBlock(static_cast<float>(alpha), reinterpret_cast<const float*>(x.data) + off[0], xr, sx,
                  reinterpret_cast<float*>(o) + off[1], orow, so, rows, cols);
      else
        axpyBlock(alpha, reinterpret_cast<const double*>(x.data) + off[0], xr, sx,
                  reinterpret_cast<double*>(o) + off[1], orow, so, rows, cols);
    }, split);
    return;
  }
  forAll(w, kCheapGrain, [&](const int64_t* off, int64_t n) {
    if (dt == kF32)
      return axpyRun(static_cast<float>(alpha), reinterpret_cast<const float*>(x.data) + off[0], sx,
                     reinterpret_cast<float*>(o) + off[1], so, n);
    if (dt == kF64)
      return axpyRun(alpha, reinterpret_cast<const double*>(x.data) + off[0], sx,
                     reinterpret_cast<double*>(o) + off[1], so, n);
    for (int64_t i = 0; i < n; i++) {
      const int64_t at = off[1] + i * so;
      storeDouble(o, dt, at, loadAsDouble(o, dt, at) + alpha * loadAsDouble(x.data, dt, off[0] + i * sx));
    }
  }, split);
}

}  // namespace cr
