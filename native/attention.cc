// Fused scaled dot-product attention, flash style: a block of query rows streams over blocks of
// keys with an online softmax (running maximum and sum, the output rescaled as the maximum
// grows), so no [L, S] score matrix is ever made; only each row's logsumexp is kept. The backward
// recomputes each probability tile from it. Tile products are small GEMMs on the operands' own
// strides (transposed q, k, v need no copies); exp is the ISA's vector loop. Threads share
// (batch, query block) items; the backward's dK and dV, which every query block adds to, are
// summed per chunk of query rows and the chunks added in a fixed order, so results do not depend
// on which thread ran what.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "calls.h"
#include "gemm.h"
#include "isa.h"
#include "thread-pool.h"

namespace cr {
namespace {

// Query rows per block and keys per tile: the 128 x 256 score tile (and in the backward its
// gradient) with the row blocks of q, k, v stay in L2 while a block is worked on; larger tiles
// also pack each q block for fewer products.
constexpr int64_t kRows = 128;
constexpr int64_t kKeys = 256;
// The backward splits a batch's query rows into chunks this long when batches alone are too few
// to keep the threads busy; each chunk sums its own dK and dV.
constexpr int64_t kChunkRows = 256;
// The most memory the chunks' partial dK and dV may take.
constexpr int64_t kPartialBytes = int64_t{64} << 20;

/** The operands, as the addon read them: views of one batch shape (nb dims), then two own dims. */
struct Operands {
  const View *q, *k, *v, *mask, *out, *lse, *gOut, *gq, *gk, *gv;
  double scale;
  bool causal;
  int nb;
  int64_t batches, l, s, e, ev;
};

/** Where batch b's matrix of view x starts (in elements). */
int64_t batchOffset(const View& x, const Operands& o, int64_t b) {
  int64_t off = x.offset;
  for (int d = o.nb - 1; d >= 0; d--) {
    const int64_t n = o.q->shape[d];
    off += (b % n) * x.strides[d];
    b /= n;
  }
  return off;
}

/** One batch's matrix of view x: a base pointer and its row and column strides. */
template <class T>
struct Mat {
  T* p;
  int64_t r, c;
  T* row(int64_t i) const { return p + i * r; }
};
template <class T>
Mat<T> matOf(const View& x, const Operands& o, int64_t b) {
  T* base = reinterpret_cast<T*>(x.data) + batchOffset(x, o, b);
  return {base, x.strides[x.nd - 2], x.strides[x.nd - 1]};
}

/**
 * The scores of query rows [i0, i0 + rows) against keys [j0, j0 + n) into s (rows x kKeys):
 * q·kᵀ·scale + mask, −∞ past the diagonal when causal.
 */
template <class T>
void scoreTile(const Operands& o, const Mat<T>& q, const Mat<T>& k, const Mat<T>* mask, int64_t i0, int64_t rows,
               int64_t j0, int64_t n, T* s) {
  gemm<T>(rows, n, o.e, q.row(i0), q.r, q.c, k.row(j0), k.c, k.r, s, kKeys, false);
  const T scale = static_cast<T>(o.scale);
  const T ninf = -std::numeric_limits<T>::infinity();
  for (int64_t r = 0; r < rows; r++) {
    T* sr = s + r * kKeys;
    for (int64_t j = 0; j < n; j++) sr[j] *= scale;
    if (mask) {
      const T* mr = mask->row(i0 + r) + j0 * mask->c;
      for (int64_t j = 0; j < n; j++) sr[j] += mr[j * mask->c];
    }
    if (o.causal)
      for (int64_t j = i0 + r + 1 - j0 < 0 ? 0 : i0 + r + 1 - j0; j < n; j++) sr[j] = ninf;
  }
}

/**
 * The largest of x[0..n) (−∞ for none), NaN passed over. Vector maxima in independent chains: a
 * scalar max reduction is one dependent chain the compiler may not reorder.
 */
template <class T>
T rowMax(const T* x, int64_t n) {
  constexpr int W = 32 / sizeof(T);
  typedef T V __attribute__((vector_size(32)));
  const T ninf = -std::numeric_limits<T>::infinity();
  V top0 = V{} + ninf, top1 = top0;
  int64_t j = 0;
  for (; j + 2 * W <= n; j += 2 * W) {
    V a, b;
    std::memcpy(&a, x + j, sizeof a);
    std::memcpy(&b, x + j + W, sizeof b);
    top0 = a > top0 ? a : top0;
    top1 = b > top1 ? b : top1;
  }
  top0 = top1 > top0 ? top1 : top0;
  T top = ninf;
  for (int l = 0; l < W; l++) top = top0[l] > top ? top0[l] : top;
  for (; j < n; j++) top = x[j] > top ? x[j] : top;
  return top;
}

/** Keys a block of query rows ending before `end` can see: all, or those up to its last row when causal. */
int64_t keysSeen(const Operands& o, int64_t end) { return o.causal && end < o.s ? end : o.s; }

/** out and lse for query rows [i0, i1) of batch b. */
template <class T>
void forwardBlock(const Operands& o, int64_t b, int64_t i0, int64_t i1, T* s, T* acc, T* tmp, double* m, double* sum,
                  T* alpha) {
  const Mat<T> q = matOf<T>(*o.q, o, b), k = matOf<T>(*o.k, o, b), v = matOf<T>(*o.v, o, b);
  const Mat<T> maskMat = o.mask ? matOf<T>(*o.mask, o, b) : Mat<T>{};
  const FloatLoops<T>& loops = floatLoops<T>();
  const int64_t rows = i1 - i0, kEnd = keysSeen(o, i1);
  const double ninf = -std::numeric_limits<double>::infinity();
  std::fill(acc, acc + rows * o.ev, T(0));
  std::fill(m, m + rows, ninf);
  std::fill(sum, sum + rows, 0.0);
  for (int64_t j0 = 0; j0 < kEnd; j0 += kKeys) {
    const int64_t n = kEnd - j0 < kKeys ? kEnd - j0 : kKeys;
    scoreTile<T>(o, q, k, o.mask ? &maskMat : nullptr, i0, rows, j0, n, s);
    for (int64_t r = 0; r < rows; r++) {
      T* sr = s + r * kKeys;
      // the maximum as a vector max: a NaN score is passed over here, but its e^(NaN − max) makes
      // the row's sum, and so its output, NaN
      const double mx = std::max(m[r], static_cast<double>(rowMax(sr, n)));
      if (mx == ninf) {
        // nothing seen yet in this row: its tile adds nothing, but a NaN rowMax passed over stays
        if (std::any_of(sr, sr + n, [](T x) { return x != x; })) m[r] = sum[r] = std::nan("");
        std::fill(sr, sr + n, T(0));
        alpha[r] = 1;
        continue;
      }
      // what the row holds is rescaled to the new maximum, and this tile's e^(s − max) added
      alpha[r] = static_cast<T>(m[r] == ninf ? 0 : std::exp(m[r] - mx));
      loops.expShift(sr, static_cast<T>(mx), sr, n);
      sum[r] = sum[r] * alpha[r] + loops.sum(sr, n);
      m[r] = mx;
    }
    gemm<T>(rows, o.ev, n, s, kKeys, 1, v.row(j0), v.r, v.c, tmp, o.ev, false);
    for (int64_t r = 0; r < rows; r++) {
      T* ar = acc + r * o.ev;
      const T* tr = tmp + r * o.ev;
      const T f = alpha[r];
      for (int64_t c = 0; c < o.ev; c++) ar[c] = ar[c] * f + tr[c];
    }
  }
  const Mat<T> out = matOf<T>(*o.out, o, b);
  T* lse = reinterpret_cast<T*>(o.lse->data) + batchOffset(*o.lse, o, b);
  const int64_t lc = o.lse->strides[o.lse->nd - 1];
  for (int64_t r = 0; r < rows; r++) {
    // no keys: zeros, as the composed empty product; every key masked: NaN, as the composed softmax
    const double inv = o.s == 0 ? 0 : m[r] == ninf ? std::numeric_limits<double>::quiet_NaN() : 1 / sum[r];
    T* dst = out.row(i0 + r);
    for (int64_t c = 0; c < o.ev; c++) dst[c * out.c] = static_cast<T>(acc[r * o.ev + c] * inv);
    lse[(i0 + r) * lc] = static_cast<T>(m[r] + std::log(sum[r]));
  }
}

template <class T>
void forward(const Operands& o) {
  const int64_t blocks = (o.l + kRows - 1) / kRows;
  parallelFor(o.batches * blocks, 1, [&](int64_t lo, int64_t hi) {
    std::vector<T> s(kRows * kKeys), acc(kRows * o.ev), tmp(kRows * o.ev);
    std::vector<double> m(kRows), sum(kRows);
    std::vector<T> alpha(kRows);
    for (int64_t it = lo; it < hi; it++) {
      const int64_t b = it / blocks, i0 = (it % blocks) * kRows;
      forwardBlock<T>(o, b, i0, i0 + kRows < o.l ? i0 + kRows : o.l, s.data(), acc.data(), tmp.data(), m.data(),
                      sum.data(), alpha.data());
    }
  });
}

/** Scratch of one backward item. */
template <class T>
struct BackScratch {
  std::vector<T> s, dp, tmp, dq;
  std::vector<double> d;
  BackScratch(const Operands& o)
      : s(kRows * kKeys),
        dp(kRows * kKeys),
        tmp((kRows > kKeys ? kRows : kKeys) * (o.e > o.ev ? o.e : o.ev)),
        dq(kRows * o.e),
        d(kRows) {}
};

/** Adds tmp (rows x cols, contiguous) into dst (rows ld apart). */
template <class T>
void addInto(T* dst, int64_t ld, const T* tmp, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; r++)
    for (int64_t c = 0; c < cols; c++) dst[r * ld + c] += tmp[r * cols + c];
}

/** dQ for query rows [r0, r1) of batch b, and their part of dK and dV added into dk, dv (contiguous). */
template <class T>
void backwardRows(const Operands& o, int64_t b, int64_t r0, int64_t r1, T* dk, T* dv, BackScratch<T>& w) {
  const Mat<T> q = matOf<T>(*o.q, o, b), k = matOf<T>(*o.k, o, b), v = matOf<T>(*o.v, o, b);
  const Mat<T> out = matOf<T>(*o.out, o, b), g = matOf<T>(*o.gOut, o, b), gq = matOf<T>(*o.gq, o, b);
  const Mat<T> maskMat = o.mask ? matOf<T>(*o.mask, o, b) : Mat<T>{};
  const T* lse = reinterpret_cast<const T*>(o.lse->data) + batchOffset(*o.lse, o, b);
  const int64_t lc = o.lse->strides[o.lse->nd - 1];
  const FloatLoops<T>& loops = floatLoops<T>();
  const T scale = static_cast<T>(o.scale);
  for (int64_t i0 = r0; i0 < r1; i0 += kRows) {
    const int64_t rows = r1 - i0 < kRows ? r1 - i0 : kRows, kEnd = keysSeen(o, i0 + rows);
    // D_i = rowsum(dO∘O): the softmax backward's Σ_j P_ij·dP_ij without the tile of dP
    for (int64_t r = 0; r < rows; r++) {
      double acc = 0;
      for (int64_t c = 0; c < o.ev; c++)
        acc += static_cast<double>(g.row(i0 + r)[c * g.c]) * static_cast<double>(out.row(i0 + r)[c * out.c]);
      w.d[r] = acc;
    }
    std::fill(w.dq.begin(), w.dq.end(), T(0));
    for (int64_t j0 = 0; j0 < kEnd; j0 += kKeys) {
      const int64_t n = kEnd - j0 < kKeys ? kEnd - j0 : kKeys;
      T* s = w.s.data();
      T* dp = w.dp.data();
      T* tmp = w.tmp.data();
      scoreTile<T>(o, q, k, o.mask ? &maskMat : nullptr, i0, rows, j0, n, s);
      for (int64_t r = 0; r < rows; r++) loops.expShift(s + r * kKeys, lse[(i0 + r) * lc], s + r * kKeys, n);
      // dV_j += Pᵀ·dO_i
      gemm<T>(n, o.ev, rows, s, 1, kKeys, g.row(i0), g.r, g.c, tmp, o.ev, false);
      addInto(dv + j0 * o.ev, o.ev, tmp, n, o.ev);
      // dS = P∘(dO·Vᵀ − D)·scale
      gemm<T>(rows, n, o.ev, g.row(i0), g.r, g.c, v.row(j0), v.c, v.r, dp, kKeys, false);
      for (int64_t r = 0; r < rows; r++) {
        const T d = static_cast<T>(w.d[r]);
        for (int64_t j = 0; j < n; j++) dp[r * kKeys + j] = s[r * kKeys + j] * (dp[r * kKeys + j] - d) * scale;
      }
      // dQ_i += dS·K_j, dK_j += dSᵀ·Q_i
      gemm<T>(rows, o.e, n, dp, kKeys, 1, k.row(j0), k.r, k.c, tmp, o.e, false);
      addInto(w.dq.data(), o.e, tmp, rows, o.e);
      gemm<T>(n, o.e, rows, dp, 1, kKeys, q.row(i0), q.r, q.c, tmp, o.e, false);
      addInto(dk + j0 * o.e, o.e, tmp, n, o.e);
    }
    for (int64_t r = 0; r < rows; r++)
      for (int64_t c = 0; c < o.e; c++) gq.row(i0 + r)[c * gq.c] = w.dq[r * o.e + c];
  }
}

template <class T>
void backward(const Operands& o) {
  // chunks of query rows per batch: only as many as the threads need beyond the batches
  const int64_t threads = getNumThreads();
  int64_t chunks = (o.l + kChunkRows - 1) / kChunkRows;
  const int64_t wanted = (4 * threads + o.batches - 1) / o.batches;
  if (chunks > wanted) chunks = wanted;
  // and no more than the partial sums' memory allows
  const int64_t affordable = kPartialBytes / (o.batches * o.s * (o.e + o.ev) * static_cast<int64_t>(sizeof(T)) + 1);
  if (chunks > affordable) chunks = affordable;
  if (chunks < 1) chunks = 1;
  const int64_t chunkRows = ((o.l + chunks - 1) / chunks + kRows - 1) / kRows * kRows;
  chunks = o.l == 0 ? 1 : (o.l + chunkRows - 1) / chunkRows;
  T* gk = reinterpret_cast<T*>(o.gk->data) + o.gk->offset;
  T* gv = reinterpret_cast<T*>(o.gv->data) + o.gv->offset;
  const int64_t kSize = o.s * o.e, vSize = o.s * o.ev;
  std::vector<T> parts(chunks > 1 ? static_cast<size_t>(o.batches * chunks * (kSize + vSize)) : 0);
  parallelFor(o.batches * chunks, 1, [&](int64_t lo, int64_t hi) {
    BackScratch<T> w(o);
    for (int64_t it = lo; it < hi; it++) {
      const int64_t b = it / chunks, c = it % chunks;
      T* dk = chunks > 1 ? parts.data() + it * (kSize + vSize) : gk + b * kSize;
      T* dv = chunks > 1 ? dk + kSize : gv + b * vSize;
      std::fill(dk, dk + kSize, T(0));
      std::fill(dv, dv + vSize, T(0));
      const int64_t r1 = (c + 1) * chunkRows < o.l ? (c + 1) * chunkRows : o.l;
      backwardRows<T>(o, b, c * chunkRows, r1, dk, dv, w);
    }
  });
  if (chunks == 1) return;
  // the chunks' sums, added in chunk order
  parallelFor(o.batches, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t b = lo; b < hi; b++) {
      T* dk = gk + b * kSize;
      T* dv = gv + b * vSize;
      const T* first = parts.data() + b * chunks * (kSize + vSize);
      std::memcpy(dk, first, sizeof(T) * kSize);
      std::memcpy(dv, first + kSize, sizeof(T) * vSize);
      for (int64_t c = 1; c < chunks; c++) {
        const T* part = first + c * (kSize + vSize);
        for (int64_t x = 0; x < kSize; x++) dk[x] += part[x];
        for (int64_t x = 0; x < vSize; x++) dv[x] += part[kSize + x];
      }
    }
  });
}

/** Whether view x is dense and row-major (the fresh outputs are). */
bool contiguous(const View& x) {
  if (x.numel() == 0) return true;
  int64_t stride = 1;
  for (int d = x.nd - 1; d >= 0; d--) {
    if (x.shape[d] != 1 && x.strides[d] != stride) return false;
    stride *= x.shape[d];
  }
  return true;
}

/**
 * attention(q, k, v, mask | null, out, lse, scale, causal) and attentionBackward(q, k, v,
 * mask | null, out, lse, gOut, gq, gk, gv, scale, causal), the views in the descriptor in that
 * order: checked, outputs settled, then the kernel for float32 or float64.
 */
void AttentionCall(Args& a, bool back) {
  const std::string op = back ? "attentionBackward" : "attention";
  const size_t nViews = back ? 10 : 6;
  if (a.argc < nViews + 2) return a.error(op + ": expected " + std::to_string(nViews + 2) + " arguments", true);
  View v[10];
  bool present[10] = {};
  for (size_t i = 0; i < nViews && a.ok(); i++) {
    if (i == 3 && isNull(a, 3)) continue;
    v[i] = viewArg(a, i, back ? i < 7 : i < 4);
    present[i] = true;
  }
  const std::string notNumbers = op + ": scale and causal must be numbers";
  const double scale = numArg(a, nViews, notNumbers.c_str());
  const bool causal = numArg(a, nViews + 1, notNumbers.c_str()) != 0;
  const View& q = v[0];
  const int nd = q.nd, nb = nd - 2;
  for (size_t i = 0; i < nViews && a.ok(); i++) {
    if (!present[i]) continue;
    if (v[i].dtype != q.dtype || (q.dtype != kF32 && q.dtype != kF64))
      a.error(op + ": operands must be float32 or float64, all one dtype", true);
    else if (nd < 2 || v[i].nd != (i == 5 ? nd - 1 : nd))
      a.error(op + ": operands must share their batch dims");
    for (int d = 0; a.ok() && d < nb; d++)
      if (v[i].shape[d] != q.shape[d]) a.error(op + ": operands must share their batch dims");
  }
  Operands o{};
  if (a.ok()) {
    o = {&v[0], &v[1], &v[2], present[3] ? &v[3] : nullptr, &v[4], &v[5], nullptr, nullptr, nullptr, nullptr,
         scale, causal, nb, 1, q.shape[nd - 2], v[1].shape[nd - 2], q.shape[nd - 1], v[2].shape[nd - 1]};
    for (int d = 0; d < nb; d++) o.batches *= q.shape[d];
    const auto is = [](const View& x, int64_t r, int64_t c) { return x.shape[x.nd - 2] == r && x.shape[x.nd - 1] == c; };
    bool fits = is(v[1], o.s, o.e) && is(v[2], o.s, o.ev) && is(v[4], o.l, o.ev) && v[5].shape[nd - 2] == o.l;
    if (o.mask) fits = fits && is(v[3], o.l, o.s);
    if (back) {
      o.gOut = &v[6], o.gq = &v[7], o.gk = &v[8], o.gv = &v[9];
      fits = fits && is(v[6], o.l, o.ev) && is(v[7], o.l, o.e) && is(v[8], o.s, o.e) && is(v[9], o.s, o.ev);
      if (!contiguous(v[8]) || !contiguous(v[9])) a.error(op + ": gk and gv must be contiguous");
    }
    if (!fits) a.error(op + ": shapes must be q [..., L, E], k [..., S, E], v [..., S, Ev] and the rest to match");
  }
  if (!a.ok()) return;
  // the outputs are written whole: their deferred zeros are not needed
  for (size_t i = back ? 7 : 4; i < nViews; i++) settleOutput(a, i, v[i]);
  if (v[back ? 7 : 4].numel() + (back ? v[8].numel() + v[9].numel() : 0) == 0) return;
  if (q.dtype == kF32)
    back ? backward<float>(o) : forward<float>(o);
  else
    back ? backward<double>(o) : forward<double>(o);
}

}  // namespace

void Attention(Args& a) { AttentionCall(a, false); }
void AttentionBackward(Args& a) { AttentionCall(a, true); }

}  // namespace cr
