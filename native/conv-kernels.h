// The direct convolution's kernels, compiled once per instruction set as part of isa-kernels.h
// (whose including file defines CR_CONV_OB, CR_CONV_WOB, CR_CONV_GRAD_OB, CR_WINOGRAD_GRAD_O and
// CR_WINOGRAD_GRAD_C with the other tile sizes). A forward tile holds OB output channels by NV
// vectors of one output row in registers; for every input channel and kernel tap it loads NV
// vectors of the input row and multiplies them by OB broadcast weights. A weight-gradient tile
// holds a (channel, tap) block of lane sums.

// The weight-gradient loops over a row's vectors: with 32 vector registers two vectors' loads fit
// beside the accumulators, and unrolled by two the compiler interleaves them (the Winograd products
// a quarter faster than rolled, under AVX-512); with 16 registers unrolling spills, so they stay
// rolled, each load pinned to a register (see inRegister)
#if CR_VECTOR_BYTES == 64
#define CR_GRAD_UNROLL _Pragma("GCC unroll 2")
#define CR_PIN(v)
#else
#define CR_GRAD_UNROLL
#define CR_PIN(v) inRegister(v)
#endif

namespace cr {
namespace CR_ISA {
namespace {

/**
 * Output rows [h0, h1) of a forward tile, NV vectors of a row at a time: OB x NV accumulators
 * start from the bias, sum(acc, in) adds the products of the inputs from `in` (the run of row h
 * under the tile's first column), and the real columns and channels are stored.
 */
template <class T, int OB, int NV, class Sum>
inline void forRowTiles(const ConvRows<T>& r, int64_t h0, int64_t h1, Sum&& sum) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  for (int64_t h = h0; h < h1; h++) {
    const T* xrow = r.x + h * r.wp;
    T* orow = r.out + h * r.wo;
    for (int64_t ws = 0; ws < r.wo; ws += NV * L) {
      V acc[OB][NV];
      for (int o = 0; o < OB; o++)
        for (int v = 0; v < NV; v++) acc[o][v] = V{} + (r.bias ? r.bias[o] : T(0));
      sum(acc, xrow + ws);
      for (int v = 0; v < NV; v++) {
        const int64_t left = r.wo - ws - v * L;
        if (left <= 0) break;
        for (int o = 0; o < r.oValid; o++) {
          T* p = orow + o * r.outPlane + ws + v * L;
          if (left >= L) store(p, acc[o][v]);
          else storeFirst(p, acc[o][v], static_cast<int>(left));
        }
      }
    }
  }
}

/** KW > 0: the row's taps known at compile time (unrolled); 0: r.kw of them. */
template <class T, int OB, int NV, int KW = 0>
void tileRows(const ConvRows<T>& r, int64_t h0, int64_t h1) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  forRowTiles<T, OB, NV>(r, h0, h1, [&r](V (&acc)[OB][NV], const T* row) {
    for (int64_t c = 0; c < r.c; c++) {
      for (int64_t i = 0; i < r.kh; i++) {
        const T* in = row + c * r.plane + i * r.dh * r.wp;
        const int64_t kw = KW > 0 ? KW : r.kw;
        const T* wk = r.w + (c * r.kh + i) * kw * OB;
        for (int64_t j = 0; j < kw; j++) {
          V xv[NV];
          // NOTE: full loads may run past the row into the next one (or the slack after the
          // image): those lanes only reach columns that are never stored
          for (int v = 0; v < NV; v++) xv[v] = load<V>(in + j * r.dw + v * L);
          for (int o = 0; o < OB; o++) {
            const T wv = wk[j * OB + o];
            for (int v = 0; v < NV; v++) acc[o][v] = madd(acc[o][v], xv[v], splat<V>(wv));
          }
        }
      }
    }
  });
}

/**
 * tileRows for one row of three adjacent taps (kh = 1, kw = 3, no dilation): Winograd's products.
 * The taps' loop inside the channels' one, unrolled, with nothing else in it: the compiler then
 * schedules each channel's 3·OB·NV multiply-adds as one block.
 */
template <class T, int OB, int NV>
void rowTaps3(const ConvRows<T>& r, int64_t h0, int64_t h1) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  forRowTiles<T, OB, NV>(r, h0, h1, [&r](V (&acc)[OB][NV], const T* row) {
    for (int64_t c = 0; c < r.c; c++) {
      const T* in = row + c * r.plane;
      const T* wk = r.w + c * 3 * OB;
#pragma GCC unroll 3
      for (int j = 0; j < 3; j++) {
        V xv[NV];
        for (int v = 0; v < NV; v++) xv[v] = load<V>(in + j + v * L);  // past the row: see tileRows
        for (int o = 0; o < OB; o++) {
          const V wv = splat<V>(wk[j * OB + o]);
          for (int v = 0; v < NV; v++) acc[o][v] = madd(acc[o][v], xv[v], wv);
        }
      }
    }
  });
}

/**
 * ∂L/∂w for OB output channels and a KI x KJ block of taps (from tap (i0, j0)): accumulators over
 * output columns, one per (channel, tap), each the product of a gradient row and the input row at
 * that tap. The last run of a row loads only the real columns of both (a lane past them would
 * bring 0·x, NaN when x is infinite).
 */
template <class T, int OB, int KI, int KJ>
void gradTaps(const ConvGradRows<T>& r, int64_t i0, int64_t j0) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  V acc[OB][KI][KJ];
  for (int o = 0; o < OB; o++)
    for (int i = 0; i < KI; i++)
      for (int j = 0; j < KJ; j++) acc[o][i][j] = V{};
  // channels past the block's real ones read channel 0 again: their sums are never stored
  int64_t gOff[OB];
  for (int o = 0; o < OB; o++) gOff[o] = o < r.oValid ? o * r.gPlane : 0;
  const int64_t full = r.wo / L * L;
  const int tail = static_cast<int>(r.wo - full);
  const int64_t xStep = r.dh * r.wp;
  // NOTE: the rows' full vectors and their tails in separate loop nests: with both in one, the
  // compiler keeps the accumulators in memory between rows
  for (int64_t img = 0; img < r.images; img++) {
    for (int64_t h = 0; h < r.ho; h++) {
      const T* grow = r.g + img * r.gImage + h * r.wo;
      const T* xrow = r.x + img * r.xImage + (h + i0 * r.dh) * r.wp + j0 * r.dw;
CR_GRAD_UNROLL
      for (int64_t ws = 0; ws < full; ws += L) {
        V gv[OB];
        for (int o = 0; o < OB; o++) {
          gv[o] = load<V>(grow + gOff[o] + ws);
          CR_PIN(gv[o]);
        }
        for (int i = 0; i < KI; i++)
          for (int j = 0; j < KJ; j++) {
            V xv = load<V>(xrow + i * xStep + ws + j * r.dw);
            CR_PIN(xv);
            for (int o = 0; o < OB; o++) acc[o][i][j] = madd(acc[o][i][j], gv[o], xv);
          }
      }
    }
  }
  if (tail > 0) {
    for (int64_t img = 0; img < r.images; img++) {
      for (int64_t h = 0; h < r.ho; h++) {
        const T* grow = r.g + img * r.gImage + h * r.wo + full;
        const T* xrow = r.x + img * r.xImage + (h + i0 * r.dh) * r.wp + j0 * r.dw + full;
        V gv[OB];
        for (int o = 0; o < OB; o++) gv[o] = loadFirst<V>(grow + gOff[o], tail);
        for (int i = 0; i < KI; i++)
          for (int j = 0; j < KJ; j++) {
            const V xv = loadFirst<V>(xrow + i * xStep + j * r.dw, tail);
            for (int o = 0; o < OB; o++) acc[o][i][j] = madd(acc[o][i][j], gv[o], xv);
          }
      }
    }
  }
  for (int o = 0; o < r.oValid; o++)
    for (int i = 0; i < KI; i++)
      for (int j = 0; j < KJ; j++) r.out[o * r.outStride + (i0 + i) * r.kw + j0 + j] += hsum<T>(acc[o][i][j]);
}

/**
 * A 3 x 3 kernel's nine taps in one pass over the gradient (CR_CONV_GRAD_OB channels: three, 27
 * accumulators, where 32 vector registers hold them and three gradient rows, so each input load
 * serves three multiply-adds; two or one where there are 16); other kernels a row at a time,
 * their taps three at a time, then one by one.
 */
template <class T>
void convGradRows(const ConvGradRows<T>& r) {
  if (r.kh == 3 && r.kw == 3) {
    gradTaps<T, CR_CONV_GRAD_OB, 3, 3>(r, 0, 0);
    return;
  }
  for (int64_t i = 0; i < r.kh; i++) {
    int64_t j = 0;
    for (; j + 3 <= r.kw; j += 3) gradTaps<T, CR_CONV_WOB, 1, 3>(r, i, j);
    for (; j < r.kw; j++) gradTaps<T, CR_CONV_WOB, 1, 1>(r, i, j);
  }
}

/** Bᵀ d for one vector of columns of the six rows r (winogradInput's arithmetic). */
template <class V>
inline void inputTransform(const V* r, V* out) {
  const V a = r[4] - 4 * r[2], e = r[3] - 4 * r[1];  // shared by rows 1 and 2
  const V f = r[4] - r[2], g = 2 * (r[3] - r[1]);    // shared by rows 3 and 4
  out[0] = 4 * r[0] - 5 * r[2] + r[4];
  out[1] = a + e;
  out[2] = a - e;
  out[3] = f + g;
  out[4] = f - g;
  out[5] = 4 * r[1] - 5 * r[3] + r[5];
}

/**
 * Winograd F(4, 3) along the height (conv-winograd.cc): v's six rows (plane apart) = Bᵀ d for the
 * six rows d[i], over their first n columns (nothing past them is read or written).
 */
void winogradInput(const float* const* d, int64_t n, float* v, int64_t plane) {
  using V = Vec<float>::V;
  constexpr int L = Vec<float>::L;
  V r[6], out[6];
  int64_t j = 0;
  for (; j + L <= n; j += L) {
    for (int i = 0; i < 6; i++) r[i] = load<V>(d[i] + j);
    inputTransform(r, out);
    for (int i = 0; i < 6; i++) store(v + i * plane + j, out[i]);
  }
  if (j == n) return;
  const int left = static_cast<int>(n - j);
  for (int i = 0; i < 6; i++) r[i] = loadFirst<V>(d[i] + j, left);
  inputTransform(r, out);
  for (int i = 0; i < 6; i++) storeFirst(v + i * plane + j, out[i], left);
}

/**
 * The four output rows y[0..3] (n columns) = Aᵀ m + bias for m's six product rows (mp apart).
 * Returns whether every output is finite.
 */
bool winogradOutput(const float* m, int64_t mp, float bias, float* const* y, int64_t n) {
  using V = Vec<float>::V;
  constexpr int L = Vec<float>::L;
  V bad{};  // stays 0 while every output is finite: 0 · inf and 0 · NaN are NaN
  for (int64_t j = 0; j < n; j += L) {
    const int left = n - j < L ? static_cast<int>(n - j) : L;
    V r[6];
    for (int t = 0; t < 6; t++) r[t] = left == L ? load<V>(m + t * mp + j) : loadFirst<V>(m + t * mp + j, left);
    const V s12 = r[1] + r[2], d12 = r[1] - r[2], s34 = r[3] + r[4], d34 = r[3] - r[4], b = splat<V>(bias);
    const V out[4] = {b + r[0] + s12 + s34, b + d12 + 2 * d34, b + s12 + 4 * s34, b + d12 + 8 * d34 + r[5]};
    for (int i = 0; i < 4; i++) {
      bad += 0 * out[i];
      if (left == L) store(y[i] + j, out[i]);
      else storeFirst(y[i] + j, out[i], left);
    }
  }
  return hsum<float>(bad) == 0;
}

/**
 * The weight gradient's side of F(4, 3): out's six rows (plane apart) = A g for the gradient's
 * `rows` (≤ 4) rows of a block (stride apart; missing rows count as zeros), over n columns.
 * Returns the sum of those rows (row 1 of A g is their column sums): the bias's gradient.
 */
double winogradGradIn(const float* g, int64_t stride, int rows, int64_t n, float* out, int64_t plane) {
  using V = Vec<float>::V;
  constexpr int L = Vec<float>::L;
  V total{};
  for (int64_t j = 0; j < n; j += L) {
    const int left = n - j < L ? static_cast<int>(n - j) : L;
    V r[4];
    for (int i = 0; i < 4; i++)
      r[i] = i >= rows ? V{} : left == L ? load<V>(g + i * stride + j) : loadFirst<V>(g + i * stride + j, left);
    const V s02 = r[0] + r[2], s13 = r[1] + r[3], t02 = r[0] + 4 * r[2], t13 = 2 * r[1] + 8 * r[3];
    const V out6[6] = {r[0], s02 + s13, s02 - s13, t02 + t13, t02 - t13, r[3]};
    total += out6[1];
    for (int i = 0; i < 6; i++) {
      if (left == L) store(out + i * plane + j, out6[i]);
      else storeFirst(out + i * plane + j, out6[i], left);
    }
  }
  return hsum<float>(total);
}

/**
 * Σ over blocks and columns of (A g)ξ · (Bᵀ x)ξ shifted by e, for one ξ, OB output channels, CB
 * input channels and the three column taps e: the transformed sums the weight gradient's Gᵀ turns
 * into taps, added into out (outO and outC apart, the taps adjacent). Each input load serves OB
 * multiply-adds, each gradient load 3·CB, as in gradTaps.
 */
template <int OB, int CB>
void winogradGradTaps(const WinogradGradJob& r) {
  using V = Vec<float>::V;
  constexpr int L = Vec<float>::L;
  const int64_t full = r.n / L * L;
  const int tail = static_cast<int>(r.n - full);
  V acc[OB][CB][3];
  for (int o = 0; o < OB; o++)
    for (int c = 0; c < CB; c++)
      for (int e = 0; e < 3; e++) acc[o][c][e] = V{};
  // channels past the real ones read the first again: their sums are never stored
  int64_t gOff[OB], xOff[CB];
  for (int o = 0; o < OB; o++) gOff[o] = o < r.oValid ? o * r.gO : 0;
  for (int c = 0; c < CB; c++) xOff[c] = c < r.cValid ? c * r.xC : 0;
  // NOTE: the full vectors and the tails in separate loop nests (as in gradTaps), so that the
  // accumulators stay in registers across blocks
  for (int64_t b = 0; b < r.blocks; b++) {
    const float* gb = r.g + b * r.gBlock;
    const float* xb = r.x + b * r.xBlock;
CR_GRAD_UNROLL
    for (int64_t ws = 0; ws < full; ws += L) {
      V gv[OB];
      for (int o = 0; o < OB; o++) {
        gv[o] = load<V>(gb + gOff[o] + ws);
        CR_PIN(gv[o]);
      }
      for (int c = 0; c < CB; c++)
        for (int e = 0; e < 3; e++) {
          V xv = load<V>(xb + xOff[c] + ws + e);
          CR_PIN(xv);
          for (int o = 0; o < OB; o++) acc[o][c][e] = madd(acc[o][c][e], gv[o], xv);
        }
    }
  }
  if (tail > 0)
    for (int64_t b = 0; b < r.blocks; b++) {
      const float* gb = r.g + b * r.gBlock + full;
      const float* xb = r.x + b * r.xBlock + full;
      V gv[OB];
      for (int o = 0; o < OB; o++) gv[o] = loadFirst<V>(gb + gOff[o], tail);
      for (int c = 0; c < CB; c++)
        for (int e = 0; e < 3; e++) {
          const V xv = loadFirst<V>(xb + xOff[c] + e, tail);
          for (int o = 0; o < OB; o++) acc[o][c][e] = madd(acc[o][c][e], gv[o], xv);
        }
    }
  for (int o = 0; o < r.oValid; o++)
    for (int c = 0; c < r.cValid; c++)
      for (int e = 0; e < 3; e++) r.out[o * r.outO + c * r.outC + e] += hsum<float>(acc[o][c][e]);
}

/** The instruction set's tile: CR_WINOGRAD_GRAD_O output by CR_WINOGRAD_GRAD_C input channels. */
void winogradGrad(const WinogradGradJob& r) { winogradGradTaps<CR_WINOGRAD_GRAD_O, CR_WINOGRAD_GRAD_C>(r); }

/** One vector per tile where a row fits in one, two otherwise; three taps a row unrolled. */
template <class T>
void convRows(const ConvRows<T>& r, int64_t h0, int64_t h1) {
  const bool one = r.wo <= Vec<T>::L;
  if (r.kh == 1 && r.kw == 3 && r.dw == 1) {
    if (one) rowTaps3<T, CR_CONV_OB, 1>(r, h0, h1);
    else rowTaps3<T, CR_CONV_OB, 2>(r, h0, h1);
  } else if (r.kw == 3) {
    if (one) tileRows<T, CR_CONV_OB, 1, 3>(r, h0, h1);
    else tileRows<T, CR_CONV_OB, 2, 3>(r, h0, h1);
  } else {
    if (one) tileRows<T, CR_CONV_OB, 1>(r, h0, h1);
    else tileRows<T, CR_CONV_OB, 2>(r, h0, h1);
  }
}

}  // namespace
}  // namespace CR_ISA
}  // namespace cr

#undef CR_GRAD_UNROLL
#undef CR_PIN
