// The direct convolution's driver: the zero-padded copy of the input, the weights packed in
// blocks of the row kernel's output channels, and the split of (image, group, channel block,
// rows) over threads; scratch stays allocated per thread between calls (conv-scratch.h).

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv.h"
#include "conv-scratch.h"
#include "isa.h"
#include "lock.h"
#include "thread-pool.h"

namespace cr {
namespace {

using conv::scratch;
using conv::trim;

/** x [N, C, H, W] (any strides) into xp [N·C][hp][wp] with x's (0, 0) at (top, left), zeros around. */
template <class T>
void padInput(const View& x, int64_t top, int64_t left, int64_t hp, int64_t wp, T* xp) {
  const T* src = reinterpret_cast<const T*>(x.data) + x.offset;
  const int64_t c = x.shape[1], h = x.shape[2], w = x.shape[3];
  const int64_t sn = x.strides[0], sc = x.strides[1], sh = x.strides[2], sw = x.strides[3];
  parallelFor(x.shape[0] * c, (1 << 14) / (hp * wp) + 1, [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; p++) {
      const T* plane = src + (p / c) * sn + (p % c) * sc;
      T* dst = xp + p * hp * wp;
      for (int64_t i = 0; i < hp; i++) {
        T* row = dst + i * wp;
        const int64_t si = i - top;
        if (si < 0 || si >= h) {
          std::memset(row, 0, sizeof(T) * wp);
          continue;
        }
        const T* srow = plane + si * sh;
        // columns [j0, j1) come from the input row, the rest are padding
        const int64_t j0 = std::clamp<int64_t>(left, 0, wp), j1 = std::clamp<int64_t>(left + w, j0, wp);
        std::fill(row, row + j0, T(0));
        if (sw == 1) std::memcpy(row + j0, srow + (j0 - left), sizeof(T) * (j1 - j0));
        else
          for (int64_t j = j0; j < j1; j++) row[j] = srow[(j - left) * sw];
        std::fill(row + j1, row + wp, T(0));
      }
    }
  });
}

/** w [O, Cg, KH, KW] (any strides) into blocks of ob channels: [groups][blocks][Cg][KH][KW][ob], zeros past O/groups. */
template <class T>
void packWeights(const View& w, int64_t groups, int ob, T* dst) {
  const T* src = reinterpret_cast<const T*>(w.data) + w.offset;
  const int64_t og = w.shape[0] / groups, cg = w.shape[1], kh = w.shape[2], kw = w.shape[3];
  const int64_t blocks = (og + ob - 1) / ob;
  for (int64_t g = 0; g < groups; g++)
    for (int64_t b = 0; b < blocks; b++)
      for (int64_t c = 0; c < cg; c++)
        for (int64_t i = 0; i < kh; i++)
          for (int64_t j = 0; j < kw; j++)
            for (int o = 0; o < ob; o++) {
              const int64_t oc = b * ob + o;
              *dst++ = oc < og ? src[(g * og + oc) * w.strides[0] + c * w.strides[1] + i * w.strides[2] +
                                     j * w.strides[3]]
                               : T(0);
            }
}

template <class T>
void run(const View& x, const View& w, const View& bias, const int64_t* pad, const int64_t* dil, int64_t groups,
         T* out) {
  static thread_local std::vector<T> xbuf, wbuf, bbuf;
  const ConvIsa& k = isa().conv;
  const int ob = k.ob;
  const int64_t n = x.shape[0], c = x.shape[1], cg = c / groups;
  const int64_t o = w.shape[0], og = o / groups, kh = w.shape[2], kw = w.shape[3];
  const int64_t hp = x.shape[2] + pad[0] + pad[1], wp = x.shape[3] + pad[2] + pad[3];
  const int64_t ho = hp - dil[0] * (kh - 1), wo = wp - dil[1] * (kw - 1);
  const int64_t blocks = (og + ob - 1) / ob;
  // slack: a tile's full-vector loads may reach two vectors past the last padded row
  T* xp = scratch(xbuf, n * c * hp * wp + 2 * 64);
  std::memset(xp + n * c * hp * wp, 0, sizeof(T) * 2 * 64);
  padInput<T>(x, pad[0], pad[2], hp, wp, xp);
  T* wpk = scratch(wbuf, groups * blocks * cg * kh * kw * ob);
  packWeights<T>(w, groups, ob, wpk);
  T* bp = nullptr;
  if (bias.nd == 1) {
    bp = scratch(bbuf, groups * blocks * ob);
    const T* bs = reinterpret_cast<const T*>(bias.data) + bias.offset;
    for (int64_t g = 0; g < groups; g++)
      for (int64_t i = 0; i < blocks * ob; i++)
        bp[g * blocks * ob + i] = i < og ? bs[(g * og + i) * bias.strides[0]] : T(0);
  }
  // work items: (image, group, block, run of rows), each rows · Wo · Cg·KH·KW·ob multiply-adds
  const int64_t rowCost = wo * cg * kh * kw * ob;
  const int64_t rowsPer = rowCost * ho <= (1 << 16) ? ho : ((1 << 16) + rowCost - 1) / rowCost;
  const int64_t runs = (ho + rowsPer - 1) / rowsPer;
  const int64_t items = n * groups * blocks * runs;
  const int64_t itemCost = rowCost * rowsPer;
  parallelFor(items, itemCost >= (1 << 16) ? 1 : (1 << 16) / itemCost + 1, [&](int64_t lo, int64_t hi) {
    for (int64_t it = lo; it < hi; it++) {
      const int64_t r = it % runs, b = (it / runs) % blocks, g = (it / runs / blocks) % groups;
      const int64_t img = it / runs / blocks / groups;
      ConvRows<T> a;
      a.x = xp + (img * c + g * cg) * hp * wp;
      a.plane = hp * wp;
      a.wp = wp;
      a.w = wpk + (g * blocks + b) * cg * kh * kw * ob;
      a.bias = bp ? bp + (g * blocks + b) * ob : nullptr;
      a.c = cg;
      a.kh = kh;
      a.kw = kw;
      a.dh = dil[0];
      a.dw = dil[1];
      a.out = out + ((img * o) + g * og + b * ob) * ho * wo;
      a.outPlane = ho * wo;
      a.wo = wo;
      a.oValid = static_cast<int>(og - b * ob < ob ? og - b * ob : ob);
      const int64_t h0 = r * rowsPer, h1 = h0 + rowsPer < ho ? h0 + rowsPer : ho;
      if constexpr (sizeof(T) == 4) k.f32(a, h0, h1);
      else k.f64(a, h0, h1);
    }
  });
  trim(xbuf);
}

template <class T>
void runWeightGrad(const View& x, const View& gv, const int64_t* kernel, const int64_t* pad, const int64_t* dil,
                   int64_t groups, T* dw) {
  static thread_local std::vector<T> xbuf;
  const ConvIsa& k = isa().conv;
  // a 3 x 3 kernel's tiles take all nine taps of a few output channels (see convGradRows)
  const int wob = kernel[0] == 3 && kernel[1] == 3 ? k.wob3x3 : k.wob;
  const int64_t n = x.shape[0], c = x.shape[1], cg = c / groups;
  const int64_t o = gv.shape[1], og = o / groups, kh = kernel[0], kw = kernel[1];
  const int64_t hp = x.shape[2] + pad[0] + pad[1], wp = x.shape[3] + pad[2] + pad[3];
  const int64_t ho = gv.shape[2], wo = gv.shape[3];
  const int64_t blocks = (og + wob - 1) / wob, size = o * cg * kh * kw;
  T* xp = scratch(xbuf, n * c * hp * wp);
  padInput<T>(x, pad[0], pad[2], hp, wp, xp);
  const T* g = reinterpret_cast<const T*>(gv.data) + gv.offset;
  std::fill(dw, dw + size, T(0));
  if (n == 0) return;
  Mutex done;
  // images in chunks whose gradient block stays in L2 across a block's channels and kernel rows;
  // chunks split over threads, each summing into its own ∂L/∂w and then adding that to the result
  const int64_t blockBytes = wob * ho * wo * static_cast<int64_t>(sizeof(T));
  const int64_t most = std::max<int64_t>(1, std::min<int64_t>(n, (128 << 10) / blockBytes));
  const int64_t chunk = conv::imageChunk(n, most), chunks = (n + chunk - 1) / chunk;
  const int64_t perChunk = o * cg * kh * kw * ho * wo * chunk;
  parallelFor(chunks, perChunk >= (1 << 18) ? 1 : (1 << 18) / perChunk + 1, [&](int64_t lo, int64_t hi) {
    std::vector<T> part(static_cast<size_t>(size), T(0));
    for (int64_t ch = lo; ch < hi; ch++) {
      const int64_t first = ch * chunk, images = std::min(chunk, n - first);
      for (int64_t gr = 0; gr < groups; gr++)
        for (int64_t b = 0; b < blocks; b++)
          for (int64_t ci = 0; ci < cg; ci++) {
              const int64_t o0 = gr * og + b * wob;
              ConvGradRows<T> r;
              r.g = g + (first * o + o0) * ho * wo;
              r.gPlane = ho * wo;
              r.x = xp + (first * c + gr * cg + ci) * hp * wp;
              r.wp = wp;
              r.ho = ho;
              r.wo = wo;
              r.kh = kh;
              r.kw = kw;
              r.dh = dil[0];
              r.dw = dil[1];
              r.images = images;
              r.gImage = o * ho * wo;
              r.xImage = c * hp * wp;
              r.out = part.data() + (o0 * cg + ci) * kh * kw;
              r.outStride = cg * kh * kw;
              r.oValid = static_cast<int>(og - b * wob < wob ? og - b * wob : wob);
              if constexpr (sizeof(T) == 4) k.grad32(r);
              else k.grad64(r);
            }
    }
    const Lock lock(done);
    for (int64_t e = 0; e < size; e++) dw[e] += part[e];
  });
  trim(xbuf);
}

/** sums [O] = Σ over images and positions of the contiguous g [N, O, Ho, Wo], in double. */
template <class T>
void planeSums(const View& g, double* sums) {
  const T* p = reinterpret_cast<const T*>(g.data) + g.offset;
  const int64_t n = g.shape[0], o = g.shape[1], plane = g.shape[2] * g.shape[3];
  parallelFor(o, (1 << 16) / (n * plane + 1) + 1, [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; c++) {
      double s = 0;
      for (int64_t i = 0; i < n; i++) s += floatLoops<T>().sum(p + (i * o + c) * plane, plane);
      sums[c] = s;
    }
  });
}

}  // namespace

void convWeightGrad(const View& x, const View& g, const int64_t* kernel, const int64_t* pad, const int64_t* dil,
                    int64_t groups, char* dw, const View* bias) {
  std::vector<double> sums(static_cast<size_t>(bias ? g.shape[1] : 0));
  double* bs = bias ? sums.data() : nullptr;
  if (x.dtype == kF64) {
    runWeightGrad<double>(x, g, kernel, pad, dil, groups, reinterpret_cast<double*>(dw));
    if (bias) planeSums<double>(g, bs);
  } else if (!winogradFits(x, g.shape[1], kernel, pad, dil, groups) ||
             !convWinogradWeightGrad(x, g, pad, reinterpret_cast<float*>(dw), bs)) {
    runWeightGrad<float>(x, g, kernel, pad, dil, groups, reinterpret_cast<float*>(dw));
    if (bias) planeSums<float>(g, bs);
  }
  if (!bias) return;
  for (int64_t o = 0; o < g.shape[1]; o++)
    storeDouble(bias->data, bias->dtype, bias->offset + o * bias->strides[0], sums[o]);
}

void convDirect(const View& x, const View& w, const View& bias, const int64_t* pad, const int64_t* dil, int64_t groups,
                char* out) {
  if (winogradFits(x, w.shape[0], w.shape + 2, pad, dil, groups))
    convWinograd(x, w, bias, pad, reinterpret_cast<float*>(out));
  else if (x.dtype == kF32) run<float>(x, w, bias, pad, dil, groups, reinterpret_cast<float*>(out));
  else run<double>(x, w, bias, pad, dil, groups, reinterpret_cast<double*>(out));
}

}  // namespace cr
