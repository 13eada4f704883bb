// A float32 3 x 3 stride-1 convolution with Winograd's F(4, 3) along the height: four output
// rows come from six transformed input rows, each convolved along the width with three taps of
// transformed weights, so a block of four rows costs 6 · 3 multiply-adds per channel pair where
// the direct kernel spends 4 · 9. The width stays direct: the six products are the row kernel's
// own register tiles (kh = 1, kw = 3) over contiguous transformed rows, so no lane shuffles are
// needed and every instruction set runs it. The transforms are sums of whole rows.
//
// Transformed sums can turn an infinity into NaN where the direct sum keeps it, and spread a
// NaN to the block's four rows: a block whose outputs are not all finite is computed again
// directly from x.

#include <algorithm>
#include <cmath>
#include <vector>

#include "conv.h"
#include "conv-scratch.h"
#include "isa.h"
#include "lock.h"
#include "thread-pool.h"

namespace cr {
namespace {

constexpr int kAlpha = 6;  // transformed rows per block: 4 outputs + 3 taps − 1
constexpr int kRows = 4;   // output rows per block

// G (6 x 3): the weights' transform, g' = G g over a kernel column's three taps
constexpr double kG[kAlpha][3] = {{1.0 / 4, 0, 0},         {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                  {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};

/** The operands of one convolution, with its sizes. */
struct Problem {
  const float* x;  // x's first element (its strides in sn..sh; a row's elements are adjacent)
  int64_t sn, sc, sh;
  int64_t n, c, h, w, o, ho, wo, wp, top, left;
  int64_t j0, j1;  // the padded columns [j0, j1) that hold x's columns (the rest are zeros)
  int64_t wr;      // the stride of transformed rows (≥ wp)
  const float* u;     // transformed weights: [6][blocks][C][3][OB]
  const float* bias;  // O values or null
  int ob, blocks;
  float* out;  // [N, O, Ho, Wo]
};

/**
 * v's six rows ξ (plane apart) = Bᵀ d for channel ch of block b of image img, d the six padded
 * rows from row 4b: x's own rows, and `zeros` (at least a row of x) for rows of padding. Only the
 * columns of x are written: the padding columns are zeroed once for a buffer (padColumns).
 */
void transformChannel(const Problem& p, const ConvIsa& k, const float* zeros, int64_t img, int64_t ch, int64_t b,
                      float* v, int64_t plane) {
  const float* base = p.x + img * p.sn + ch * p.sc + (p.j0 - p.left);
  const float* rows[kAlpha];
  for (int r = 0; r < kAlpha; r++) {
    const int64_t si = kRows * b + r - p.top;
    rows[r] = si >= 0 && si < p.h ? base + si * p.sh : zeros;
  }
  k.winogradInput(rows, p.j1 - p.j0, v + p.j0, plane);
}

/** Zeros in the padding columns of `count` transformed rows (wr apart): those before j0 and from j1 on. */
void padColumns(const Problem& p, float* v, int64_t count) {
  // a column at a time down the rows: one store each, where a run per row would be a call each
  const auto column = [&](int64_t j) {
    for (int64_t r = 0; r < count; r++) v[r * p.wr + j] = 0.0f;
  };
  for (int64_t j = 0; j < p.j0; j++) column(j);
  for (int64_t j = p.j1; j < p.wp; j++) column(j);
}

/** Output (img, k, i, j) summed directly from x: a block whose transformed sums were not finite. */
float directAt(const Problem& p, const float* w, const int64_t* ws, int64_t img, int64_t k, int64_t i, int64_t j) {
  float acc = p.bias ? p.bias[k] : 0.0f;
  for (int64_t ch = 0; ch < p.c; ch++)
    for (int64_t a = 0; a < 3; a++) {
      const int64_t si = i + a - p.top;
      if (si < 0 || si >= p.h) continue;
      for (int64_t e = 0; e < 3; e++) {
        const int64_t sj = j + e - p.left;
        if (sj < 0 || sj >= p.w) continue;
        acc += w[k * ws[0] + ch * ws[1] + a * ws[2] + e * ws[3]] * p.x[img * p.sn + ch * p.sc + si * p.sh + sj];
      }
    }
  return acc;
}

/**
 * Rows of block b for output channels [k0, k0 + count) from the six products m [6][OB][wo]:
 * y = Aᵀ m, plus the bias; rows past the output go to `sink` [wo]. Returns false where an output
 * is not finite.
 */
bool transformOutput(const Problem& p, const ConvIsa& k, int64_t img, int64_t b, int64_t k0, int count,
                     const float* m, float* sink) {
  const int64_t wo = p.wo, rows = std::min<int64_t>(kRows, p.ho - kRows * b);
  bool finite = true;
  for (int c = 0; c < count; c++) {
    float* y = p.out + ((img * p.o + k0 + c) * p.ho + kRows * b) * wo;
    float* const ys[kRows] = {y, rows > 1 ? y + wo : sink, rows > 2 ? y + 2 * wo : sink, rows > 3 ? y + 3 * wo : sink};
    finite &= k.winogradOutput(m + c * wo, p.ob * wo, p.bias ? p.bias[k0 + c] : 0.0f, ys, wo);
  }
  return finite;
}

/** U [6][blocks][C][3][OB] = G w over each kernel column, zeros past O (the row kernel's packing). */
void transformWeights(const Problem& p, const View& w, float* u) {
  const float* wd = reinterpret_cast<const float*>(w.data) + w.offset;
  std::fill(u, u + kAlpha * p.blocks * p.c * 3 * p.ob, 0.0f);
  for (int64_t kk = 0; kk < p.o; kk++)
    for (int64_t ch = 0; ch < p.c; ch++) {
      const float* g = wd + kk * w.strides[0] + ch * w.strides[1];
      float* dst = u + ((kk / p.ob) * p.c + ch) * 3 * p.ob + kk % p.ob;
      for (int e = 0; e < 3; e++) {
        const double g0 = g[e * w.strides[3]], g1 = g[w.strides[2] + e * w.strides[3]];
        const double g2 = g[2 * w.strides[2] + e * w.strides[3]];
        for (int t = 0; t < kAlpha; t++)
          dst[t * p.blocks * p.c * 3 * p.ob + e * p.ob] = static_cast<float>(kG[t][0] * g0 + kG[t][1] * g1 + kG[t][2] * g2);
      }
    }
}

/** The sizes of x's convolution to o channels at this padding (a 3 x 3 kernel). */
Problem problem(const View& x, int64_t o, const int64_t* pad) {
  Problem p;
  p.x = reinterpret_cast<const float*>(x.data) + x.offset;
  p.sn = x.strides[0], p.sc = x.strides[1], p.sh = x.strides[2];
  p.n = x.shape[0], p.c = x.shape[1], p.h = x.shape[2], p.w = x.shape[3], p.o = o;
  p.top = pad[0], p.left = pad[2];
  p.ho = p.h + pad[0] + pad[1] - 2, p.wo = p.w + pad[2] + pad[3] - 2, p.wp = p.wo + 2;
  p.j0 = std::clamp<int64_t>(p.left, 0, p.wp), p.j1 = std::clamp<int64_t>(p.left + p.w, p.j0, p.wp);
  p.wr = p.wp;
  return p;
}

}  // namespace

bool winogradFits(const View& x, int64_t o, const int64_t* kernel, const int64_t* pad, const int64_t* dil,
                  int64_t groups) {
  const int64_t ho = x.shape[2] + pad[0] + pad[1] - 2, wo = x.shape[3] + pad[2] + pad[3] - 2;
  // below these sizes the transforms cost more than the multiply-adds they save
  return x.dtype == kF32 && groups == 1 && kernel[0] == 3 && kernel[1] == 3 && dil[0] == 1 && dil[1] == 1 &&
         x.strides[3] == 1 && x.shape[1] >= 4 && o >= 4 && ho >= kRows && wo >= 8;
}

void convWinograd(const View& x, const View& w, const View& bias, const int64_t* pad, float* out) {
  const ConvIsa& k = isa().conv;
  Problem p = problem(x, w.shape[0], pad);
  p.ob = k.ob;
  p.blocks = static_cast<int>((p.o + p.ob - 1) / p.ob);
  p.out = out;
  static thread_local std::vector<float> ubuf, bbuf;
  float* u = conv::scratch(ubuf, kAlpha * p.blocks * p.c * 3 * p.ob);
  transformWeights(p, w, u);
  p.u = u;
  p.bias = nullptr;
  if (bias.nd == 1) {
    float* bv = conv::scratch(bbuf, p.o);
    const float* bs = reinterpret_cast<const float*>(bias.data) + bias.offset;
    for (int64_t kk = 0; kk < p.o; kk++) bv[kk] = bs[kk * bias.strides[0]];
    p.bias = bv;
  }
  const int64_t rowBlocks = (p.ho + kRows - 1) / kRows, blockCost = kAlpha * 3 * p.c * p.o * p.wo;
  parallelFor(p.n * rowBlocks, (1 << 16) / blockCost + 1, [&](int64_t lo, int64_t hi) {
    // a row of zeros (the padding rows), a block's transformed rows [6][C][wr] (with the row
    // kernel's slack: its full-vector loads reach past a row, into lanes never stored), the six
    // products of one channel block, and a row for the outputs past the last row
    static thread_local std::vector<float> zbuf, vbuf, mbuf, sink;
    const int64_t vSize = kAlpha * p.c * p.wr;
    float* zeros = conv::scratch(zbuf, p.wr);
    std::fill(zeros, zeros + p.wr, 0.0f);
    float* v = conv::scratch(vbuf, vSize + 2 * 64);
    float* m = conv::scratch(mbuf, kAlpha * p.ob * p.wo);
    float* rest = conv::scratch(sink, p.wo);
    std::fill(v + vSize, v + vSize + 2 * 64, 0.0f);
    padColumns(p, v, kAlpha * p.c);
    for (int64_t it = lo; it < hi; it++) {
      const int64_t img = it / rowBlocks, b = it % rowBlocks;
      for (int64_t ch = 0; ch < p.c; ch++) transformChannel(p, k, zeros, img, ch, b, v + ch * p.wr, p.c * p.wr);
      for (int blk = 0; blk < p.blocks; blk++) {
        const int count = static_cast<int>(std::min<int64_t>(p.ob, p.o - blk * p.ob));
        for (int t = 0; t < kAlpha; t++) {
          ConvRows<float> a;
          a.x = v + t * p.c * p.wr;
          a.plane = p.wr;
          a.wp = p.wr;
          a.w = p.u + (t * p.blocks + blk) * p.c * 3 * p.ob;
          a.bias = nullptr;
          a.c = p.c;
          a.kh = 1;
          a.kw = 3;
          a.dh = 1;
          a.dw = 1;
          a.out = m + t * p.ob * p.wo;
          a.outPlane = p.wo;
          a.wo = p.wo;
          a.oValid = count;
          k.f32(a, 0, 1);
        }
        if (transformOutput(p, k, img, b, blk * p.ob, count, m, rest)) continue;
        const int64_t rows = std::min<int64_t>(kRows, p.ho - kRows * b);
        const float* wd = reinterpret_cast<const float*>(w.data) + w.offset;
        const int64_t ws[4] = {w.strides[0], w.strides[1], w.strides[2], w.strides[3]};
        for (int kk = blk * p.ob; kk < blk * p.ob + count; kk++)
          for (int64_t i = kRows * b; i < kRows * b + rows; i++)
            for (int64_t j = 0; j < p.wo; j++)
              p.out[((img * p.o + kk) * p.ho + i) * p.wo + j] = directAt(p, wd, ws, img, kk, i, j);
      }
    }
  });
}

bool convWinogradWeightGrad(const View& x, const View& gv, const int64_t* pad, float* dw, double* bias) {
  const ConvIsa& k = isa().conv;
  Problem p = problem(x, gv.shape[1], pad);
  const int64_t n = p.n, c = p.c, o = p.o, ho = p.ho, wo = p.wo, wr = p.wr;
  const int64_t rowBlocks = (ho + kRows - 1) / kRows, go = k.wgo, gc = k.wgc;
  const int64_t oBlocks = (o + go - 1) / go, cBlocks = (c + gc - 1) / gc;
  const float* g = reinterpret_cast<const float*>(gv.data) + gv.offset;  // contiguous [N, O, Ho, Wo]
  // Σξ sums [O][C][6][3], which Gᵀ turns into the taps
  std::vector<double> total(static_cast<size_t>(o * c * 18), 0.0);
  std::fill(dw, dw + o * c * 9, 0.0f);
  if (bias) std::fill(bias, bias + o, 0.0);
  if (n == 0) return true;
  // images in chunks whose transformed rows (x's and the gradient's) stay in L2 while every
  // (channel block, channel block) tile sums over them
  const int64_t xImage = rowBlocks * kAlpha * c * wr, gImage = rowBlocks * kAlpha * o * wo;
  const int64_t most = std::clamp<int64_t>((256 << 10) / (xImage + gImage), 1, n);
  const int64_t chunk = conv::imageChunk(n, most), chunks = (n + chunk - 1) / chunk;
  Mutex done;
  parallelFor(chunks, 1, [&](int64_t lo, int64_t hi) {
    static thread_local std::vector<float> xbuf, gbuf, zbuf;
    float* xs = conv::scratch(xbuf, chunk * xImage);
    float* gs = conv::scratch(gbuf, chunk * gImage);
    float* zeros = conv::scratch(zbuf, wr);
    std::fill(zeros, zeros + wr, 0.0f);
    std::vector<double> part(static_cast<size_t>(o * c * 18), 0.0), sums(static_cast<size_t>(o), 0.0);
    for (int64_t piece = lo; piece < hi; piece++) {
      const int64_t first = piece * chunk, images = std::min(chunk, n - first);
      // both sides as [ξ][channel][block][row]: a job's rows are one forward stream each
      const int64_t blocks = images * rowBlocks;
      padColumns(p, xs, kAlpha * c * blocks);
      for (int64_t i = 0; i < images; i++) {
        for (int64_t ch = 0; ch < c; ch++)
          for (int64_t b = 0; b < rowBlocks; b++)
            transformChannel(p, k, zeros, first + i, ch, b, xs + (ch * blocks + i * rowBlocks + b) * wr,
                             c * blocks * wr);
        for (int64_t kk = 0; kk < o; kk++)
          for (int64_t b = 0; b < rowBlocks; b++) {
            const int64_t at = i * rowBlocks + b, rows = std::min<int64_t>(kRows, ho - kRows * b);
            sums[kk] += k.winogradGradIn(g + (((first + i) * o + kk) * ho + kRows * b) * wo, wo, static_cast<int>(rows),
                                         wo, gs + (kk * blocks + at) * wo, o * blocks * wo);
          }
      }
      for (int t = 0; t < kAlpha; t++)
        for (int64_t ob = 0; ob < oBlocks; ob++)
          for (int64_t cb = 0; cb < cBlocks; cb++) {
            WinogradGradJob j;
            j.g = gs + (t * o + ob * go) * blocks * wo;
            j.gBlock = wo, j.gO = blocks * wo;
            j.x = xs + (t * c + cb * gc) * blocks * wr;
            j.xBlock = wr, j.xC = blocks * wr;
            j.blocks = blocks, j.n = wo;
            j.oValid = static_cast<int>(std::min<int64_t>(go, o - ob * go));
            j.cValid = static_cast<int>(std::min<int64_t>(gc, c - cb * gc));
            j.out = part.data() + ((ob * go * c + cb * gc) * kAlpha + t) * 3;
            j.outO = c * kAlpha * 3, j.outC = kAlpha * 3;
            k.winogradGrad(j);
          }
    }
    // one huge image's transformed rows must not stay pinned to the thread
    conv::trim(xbuf);
    conv::trim(gbuf);
    const Lock lock(done);
    for (size_t e = 0; e < part.size(); e++) total[e] += part[e];
    for (int64_t kk = 0; bias && kk < o; kk++) bias[kk] += sums[kk];
  });
  bool finite = true;
  for (int64_t kc = 0; kc < o * c; kc++)
    for (int a = 0; a < 3; a++)
      for (int e = 0; e < 3; e++) {
        double s = 0;
        for (int t = 0; t < kAlpha; t++) s += kG[t][a] * total[(kc * kAlpha + t) * 3 + e];
        dw[kc * 9 + a * 3 + e] = static_cast<float>(s);
        finite &= std::isfinite(s);
      }
  return finite;
}

}  // namespace cr
