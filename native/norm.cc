// Batch norm and layer norm, forward and backward. Batch norm sees x as [N, C, S] and shares
// channels between threads; layer norm sees rows [R, D] and shares rows. Sums are accumulated in
// double, statistics in two passes over data still in cache (float32 batch norm's in one pass of
// shifted sums). Contiguous runs go through the per-instruction-set loops of norm-runs.h; strided
// ones take plain loops. Elementwise passes run in the tensor's type.

#include "norm.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "norm-runs.h"
#include "thread-pool.h"

namespace cr {
namespace {

// Elements of work per thread part: a part below this costs more to hand out than to run.
constexpr int64_t kGrain = 1 << 14;
// The most elements of one channel's gradient batch norm's backward keeps between its passes.
constexpr int64_t kKeptRun = int64_t{1} << 20;

/** Element i of a 1-d view, or `fallback` for an absent one, as a double. */
double at(const View* v, int64_t i, double fallback) {
  return v ? loadAsDouble(v->data, v->dtype, v->offset + i * v->strides[0]) : fallback;
}

/** Element (r, i) of a 2-d view as a double. */
double at2(const View& v, int64_t r, int64_t i) {
  return loadAsDouble(v.data, v.dtype, v.offset + r * v.strides[0] + i * v.strides[1]);
}

void set2(const View& v, int64_t r, int64_t i, double value) {
  storeDouble(v.data, v.dtype, v.offset + r * v.strides[0] + i * v.strides[1], value);
}

/** Channels per thread part for [N, C, S]: whole channels, about kGrain elements. */
int64_t channelGrain(const View& x) { return kGrain / (x.shape[0] * x.shape[2] + 1) + 1; }

/** Element pointer at `off` elements past the view's offset. */
template <class T>
T* at(const View& v, int64_t off) {
  return reinterpret_cast<T*>(v.data) + v.offset + off;
}

/** The run of channel c in sample i of a [N, C, S] view. */
template <class T>
T* run(const View& v, int64_t i, int64_t c) {
  return at<T>(v, i * v.strides[0] + c * v.strides[1]);
}

/**
 * Channel c's mean and biased variance over float32 x [N, C, S] with contiguous runs, in one pass:
 * sums of x − k and its squares in double, k one of the channel's values (so the variance's
 * difference of sums cancels no more digits than data as far from its mean as k is: a float32's
 * 24 bits leave double's 53 a wide margin).
 */
void shiftedStats(const View& x, int64_t c, double* mean, double* variance) {
  const int64_t n = x.shape[0], s = x.shape[2];
  const double m = static_cast<double>(n * s);
  double k = n * s > 0 ? static_cast<double>(*run<float>(x, 0, c)) : 0.0;
  if (!std::isfinite(k)) k = 0;
  double sums[2] = {0, 0};
  for (int64_t i = 0; i < n; i++) runShiftedSums(run<float>(x, i, c), s, k, sums);
  const double d = sums[0] / m;
  *mean = k + d;
  *variance = std::max(sums[1] / m - d * d, 0.0);  // NaN stays NaN
}

/**
 * Channel c's mean and biased variance over x [N, C, S]: float32 runs in one pass (shiftedStats),
 * the rest in two, the second over data still in cache.
 */
template <class T>
void channelStats(const View& x, int64_t c, double* mean, double* variance) {
  const int64_t n = x.shape[0], s = x.shape[2], ss = x.strides[2];
  if (std::is_same_v<T, float> && ss == 1) return shiftedStats(x, c, mean, variance);
  const double m = static_cast<double>(n * s);
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < n; i++) {
    const T* p = run<T>(x, i, c);
    if (ss == 1)
      sum += runSum(p, s);
    else
      for (int64_t j = 0; j < s; j++) sum += static_cast<double>(p[j * ss]);
  }
  *mean = sum / m;
  for (int64_t i = 0; i < n; i++) {
    const T* p = run<T>(x, i, c);
    if (ss == 1)
      sq += runSquares(p, s, *mean);
    else
      for (int64_t j = 0; j < s; j++) {
        const double dev = static_cast<double>(p[j * ss]) - *mean;
        sq += dev * dev;
      }
  }
  *variance = sq / m;
}

/** x·a + shift as the strided loops write it (the backward's ReLU mask repeats these very sums). */
template <class T>
inline T affine(T x, T a, T shift) {
  return x * a + shift;
}

/** Channel c's normalisation as x·a + shift: the scale and shift from mean, invstd, w and b. */
template <class T>
void affineOf(int64_t c, double mean, double invstd, const View* w, const View* bias, T* a, T* shift) {
  const double scale = invstd * at(w, c, 1);
  *a = static_cast<T>(scale);
  *shift = static_cast<T>(at(bias, c, 0) - mean * scale);
}

/** Channel c of out = x·a + shift (with `relu` its ReLU, NaN kept). */
template <class T>
void channelAffine(const View& x, int64_t c, T a, T shift, bool relu, const View& out) {
  const int64_t n = x.shape[0], s = x.shape[2], sx = x.strides[2], so = out.strides[2];
  for (int64_t i = 0; i < n; i++) {
    const T* px = run<T>(x, i, c);
    T* po = run<T>(out, i, c);
    if (sx == 1 && so == 1) {
      if (relu) runAffineRelu(px, a, shift, po, s);
      else runAffine(px, a, shift, po, s);
      continue;
    }
    for (int64_t j = 0; j < s; j++) {
      const T v = affine(px[j * sx], a, shift);
      po[j * so] = !relu || v > 0 || v != v ? v : T(0);
    }
  }
}

/** Channel c's normalisation from its statistics, w and b. */
template <class T>
void channelForward(const View& x, int64_t c, double mean, double invstd, const View* w, const View* bias, bool relu,
                    const View& out) {
  T a, shift;
  affineOf(c, mean, invstd, w, bias, &a, &shift);
  channelAffine(x, c, a, shift, relu, out);
}

template <class T>
void bnStats(const View& x, double eps, const View& stats) {
  parallelFor(x.shape[1], channelGrain(x), [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; c++) {
      double mean, variance;
      channelStats<T>(x, c, &mean, &variance);
      set2(stats, 0, c, mean);
      set2(stats, 1, c, variance);
      set2(stats, 2, c, 1 / std::sqrt(variance + eps));
    }
  });
}

template <class T>
void bnForward(const View& x, const View& stats, const View* w, const View* bias, bool relu, const View& out) {
  parallelFor(x.shape[1], channelGrain(x), [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; c++) channelForward<T>(x, c, at2(stats, 0, c), at2(stats, 1, c), w, bias, relu, out);
  });
}

/** bnStats, then bnForward with its statistics, a channel at a time: the output pass reads the channel from cache. */
template <class T>
void bnTrain(const View& x, double eps, const View& stats, const View* w, const View* bias, bool relu,
             const View& out) {
  parallelFor(x.shape[1], channelGrain(x), [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; c++) {
      double mean, variance;
      channelStats<T>(x, c, &mean, &variance);
      const double invstd = 1 / std::sqrt(variance + eps);
      set2(stats, 0, c, mean);
      set2(stats, 1, c, variance);
      set2(stats, 2, c, invstd);
      channelForward<T>(x, c, mean, invstd, w, bias, relu, out);
    }
  });
}

/**
 * The run of channel c in sample i of g, or with `relu` (a batch norm fused with a ReLU, whose
 * output was x·a + shift) g where that was > 0 and 0 elsewhere: the forward's own sums, by the
 * same loop for x's stride, so the mask is its output's. Written to `tmp` unless g's run is used as is.
 */
template <class T>
const T* gradRun(const View& g, const View& x, bool relu, T a, T shift, int64_t i, int64_t c, T* tmp) {
  const T* pg = run<T>(g, i, c);
  const int64_t s = g.shape[2], sg = g.strides[2], sx = x.strides[2];
  if (!relu && sg == 1) return pg;
  if (sg != 1) {
    for (int64_t j = 0; j < s; j++) tmp[j] = pg[j * sg];
    pg = tmp;
  }
  if (!relu) return pg;
  const T* px = run<T>(x, i, c);
  if (sx == 1) runReluMask(pg, px, a, shift, tmp, s);
  else
    for (int64_t j = 0; j < s; j++) tmp[j] = affine(px[j * sx], a, shift) > 0 ? pg[j] : T(0);
  return tmp;
}

template <class T>
void bnBackward(const View& g, const View& x, const View& stats, const View* w, bool training, bool relu,
                const View* bias, const View* dx, const View* dwb) {
  const int64_t n = x.shape[0], s = x.shape[2], sx = x.strides[2];
  const double m = static_cast<double>(n * s);
  // a channel's masked or gathered gradient is kept for the dx pass (in cache, and the mask is not
  // worked out twice) unless the channel is too large to keep
  const bool dense = !relu && g.strides[2] == 1, keep = !dense && n * s <= kKeptRun;
  parallelFor(x.shape[1], channelGrain(x), [&](int64_t b, int64_t e) {
    std::vector<T> tmp(static_cast<size_t>(dense ? 0 : keep ? n * s : s));
    for (int64_t c = b; c < e; c++) {
      const double mean = at2(stats, 0, c), invstd = at2(stats, 1, c);
      T fa = 0, fshift = 0;  // the forward's x·a + shift, for the fused ReLU's mask
      if (relu) affineOf(c, mean, invstd, w, bias, &fa, &fshift);
      double sums[2] = {0, 0};  // Σ g and Σ g·(x − mean)
      // the sums serve dw, db and (batch statistics) dx: eval's dx alone needs none
      for (int64_t i = 0; i < n && (training || dwb); i++) {
        const T* pg = gradRun(g, x, relu, fa, fshift, i, c, tmp.data() + (keep ? i * s : 0));
        const T* px = run<T>(x, i, c);
        if (sx == 1) {
          runSumDot(pg, px, s, mean, sums);
        } else {
          for (int64_t j = 0; j < s; j++) {
            sums[0] += static_cast<double>(pg[j]);
            sums[1] += static_cast<double>(pg[j]) * (static_cast<double>(px[j * sx]) - mean);
          }
        }
      }
      const double sumG = sums[0], sumGxhat = sums[1] * invstd;
      if (dwb) {
        set2(*dwb, 0, c, sumGxhat);
        set2(*dwb, 1, c, sumG);
      }
      if (!dx) continue;
      // dx = k·(g − Σg/M) − k·invstd·(Σg·x̂/M)·(x − mean), k = w·invstd (constant statistics: k·g)
      const double k = at(w, c, 1) * invstd;
      const T a = static_cast<T>(k), mu = static_cast<T>(mean);
      const T shift = static_cast<T>(training ? -k * sumG / m : 0);
      const T coef = static_cast<T>(training ? -k * invstd * sumGxhat / m : 0);
      const int64_t so = dx->strides[2];
      const bool kept = keep && (training || dwb);  // by the sums' pass
      for (int64_t i = 0; i < n; i++) {
        T* gi = tmp.data() + (keep ? i * s : 0);
        const T* pg = kept ? gi : gradRun(g, x, relu, fa, fshift, i, c, gi);
        const T* px = run<T>(x, i, c);
        T* po = run<T>(*dx, i, c);
        if (sx == 1 && so == 1)
          runDx(pg, px, a, coef, mu, shift, po, s);
        else
          for (int64_t j = 0; j < s; j++) po[j * so] = a * pg[j] + coef * (px[j * sx] - mu) + shift;
      }
    }
  });
}

/** A 1-d view's d elements as a dense array of T (all `fallback` without a view). */
template <class T>
std::vector<T> dense(const View* v, int64_t d, double fallback) {
  std::vector<T> out(static_cast<size_t>(d));
  for (int64_t j = 0; j < d; j++) out[j] = static_cast<T>(at(v, j, fallback));
  return out;
}

/** Row r of a [R, D] view as a dense run: the row itself, or a copy into `tmp` when strided. */
template <class T>
const T* denseRow(const View& v, int64_t r, std::vector<T>& tmp) {
  const T* p = at<T>(v, r * v.strides[0]);
  const int64_t d = v.shape[1], s = v.strides[1];
  if (s == 1) return p;
  for (int64_t j = 0; j < d; j++) tmp[j] = p[j * s];
  return tmp.data();
}

/** The float64 row of a [2, R] statistics view when its rows are dense runs, else null. */
double* statsRow(const View& stats, int row) {
  if (stats.dtype != kF64 || (stats.shape[1] > 1 && stats.strides[1] != 1)) return nullptr;
  return reinterpret_cast<double*>(stats.data) + stats.offset + row * stats.strides[0];
}

template <class T>
void lnForward(const View& x, double eps, const View* w, const View* bias, const View& out, const View& stats) {
  const int64_t d = x.shape[1], so = out.strides[1];
  const std::vector<T> wd = dense<T>(w, d, 1), bd = dense<T>(bias, d, 0);
  double *mean = statsRow(stats, 0), *rstd = statsRow(stats, 1);
  const bool direct = mean && x.strides[1] == 1 && so == 1;
  parallelFor(x.shape[0], kGrain / (d + 1) + 1, [&](int64_t b, int64_t e) {
    if (direct) {
      runLnForward(at<T>(x, b * x.strides[0]), x.strides[0], wd.data(), bd.data(), eps, at<T>(out, b * out.strides[0]),
                   out.strides[0], mean + b, rstd + b, e - b, d);
      return;
    }
    // strided rows: each one copied to a dense run and back
    std::vector<T> xrow(static_cast<size_t>(d)), orow(static_cast<size_t>(d));
    for (int64_t r = b; r < e; r++) {
      double m = 0, rs = 0;
      runLnForward(denseRow(x, r, xrow), 0, wd.data(), bd.data(), eps, orow.data(), 0, &m, &rs, 1, d);
      set2(stats, 0, r, m);
      set2(stats, 1, r, rs);
      T* po = at<T>(out, r * out.strides[0]);
      for (int64_t j = 0; j < d; j++) po[j * so] = orow[j];
    }
  });
}

template <class T>
void lnBackward(const View& g, const View& x, const View& stats, const View* w, const View* dx, const View* dwb) {
  const int64_t rows = x.shape[0], d = x.shape[1];
  const std::vector<T> wd = dense<T>(w, d, 1);
  const double *mean = statsRow(stats, 0), *rstd = statsRow(stats, 1);
  const bool direct = mean && g.strides[1] == 1 && x.strides[1] == 1 && (!dx || dx->strides[1] == 1);
  // each part sums its rows' dw and db into its own slice; the slices are added at the end
  const int64_t most = 4 * static_cast<int64_t>(getNumThreads());
  const int64_t parts = std::min(rows, std::min(rows * d / kGrain + 1, most));
  std::vector<double> partial(dwb ? static_cast<size_t>(parts * 2 * d) : 0, 0.0);
  parallelFor(parts, 1, [&](int64_t pb, int64_t pe) {
    std::vector<T> grow(static_cast<size_t>(d)), xrow(static_cast<size_t>(d)), orow(static_cast<size_t>(d));
    for (int64_t p = pb; p < pe; p++) {
      const int64_t r0 = rows * p / parts, r1 = rows * (p + 1) / parts;
      double* acc = dwb ? partial.data() + p * 2 * d : nullptr;
      if (direct) {
        T* out = dx ? at<T>(*dx, r0 * dx->strides[0]) : nullptr;
        runLnBackward(at<T>(g, r0 * g.strides[0]), g.strides[0], at<T>(x, r0 * x.strides[0]), x.strides[0], wd.data(),
                      mean + r0, rstd + r0, acc, out, dx ? dx->strides[0] : 0, r1 - r0, d);
        continue;
      }
      for (int64_t r = r0; r < r1; r++) {
        const double m = at2(stats, 0, r), rs = at2(stats, 1, r);
        runLnBackward(denseRow(g, r, grow), 0, denseRow(x, r, xrow), 0, wd.data(), &m, &rs, acc,
                      dx ? orow.data() : nullptr, 0, 1, d);
        if (!dx) continue;
        T* po = at<T>(*dx, r * dx->strides[0]);
        for (int64_t j = 0; j < d; j++) po[j * dx->strides[1]] = orow[j];
      }
    }
  });
  if (!dwb) return;
  for (int64_t j = 0; j < d; j++) {
    double sw = 0, sb = 0;
    for (int64_t p = 0; p < parts; p++) {
      sw += partial[p * 2 * d + j];
      sb += partial[p * 2 * d + d + j];
    }
    set2(*dwb, 0, j, sw);
    set2(*dwb, 1, j, sb);
  }
}

}  // namespace

void batchNormStats(const View& x, double eps, const View& stats) {
  (x.dtype == kF32 ? bnStats<float> : bnStats<double>)(x, eps, stats);
}

void batchNormTrain(const View& x, double eps, const View& stats, const View* w, const View* b, bool relu,
                    const View& out) {
  (x.dtype == kF32 ? bnTrain<float> : bnTrain<double>)(x, eps, stats, w, b, relu, out);
}

void batchNormForward(const View& x, const View& stats, const View* w, const View* b, bool relu, const View& out) {
  (x.dtype == kF32 ? bnForward<float> : bnForward<double>)(x, stats, w, b, relu, out);
}

void batchNormBackward(const View& g, const View& x, const View& stats, const View* w, bool training, bool relu,
                       const View* bias, const View* dx, const View* dwb) {
  (x.dtype == kF32 ? bnBackward<float> : bnBackward<double>)(g, x, stats, w, training, relu, bias, dx, dwb);
}

void layerNormForward(const View& x, double eps, const View* w, const View* b, const View& out, const View& stats) {
  (x.dtype == kF32 ? lnForward<float> : lnForward<double>)(x, eps, w, b, out, stats);
}

void layerNormBackward(const View& g, const View& x, const View& stats, const View* w, const View* dx,
                       const View* dwb) {
  (x.dtype == kF32 ? lnBackward<float> : lnBackward<double>)(g, x, stats, w, dx, dwb);
}

}  // namespace cr
