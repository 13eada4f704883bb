// The direct convolution's kernels, compiled once per instruction set as part of isa-kernels.h
// (whose including file defines CR_CONV_OB, CR_CONV_WOB and CR_CONV_GRAD_OB with the other tile
// sizes). A forward
// tile holds OB output channels by NV vectors of one output row in registers; for every input
// channel and kernel tap it loads NV vectors of the input row and multiplies them by OB broadcast
// weights. A weight-gradient tile holds a (channel, tap) block of lane sums.

namespace cr {
namespace CR_ISA {
namespace {

/** KW > 0: the row's taps known at compile time (unrolled); 0: r.kw of them. */
template <class T, int OB, int NV, int KW = 0>
void tileRows(const ConvRows<T>& r, int64_t h0, int64_t h1) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  for (int64_t h = h0; h < h1; h++) {
    const T* xrow = r.x + h * r.wp;
    T* orow = r.out + h * r.wo;
    for (int64_t ws = 0; ws < r.wo; ws += NV * L) {
      V acc[OB][NV];
      for (int o = 0; o < OB; o++)
        for (int v = 0; v < NV; v++) acc[o][v] = V{} + (r.bias ? r.bias[o] : T(0));
      for (int64_t c = 0; c < r.c; c++) {
        for (int64_t i = 0; i < r.kh; i++) {
          const T* in = xrow + c * r.plane + i * r.dh * r.wp + ws;
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
      for (int64_t ws = 0; ws < full; ws += L) {
        V gv[OB];
        for (int o = 0; o < OB; o++) {
          gv[o] = load<V>(grow + gOff[o] + ws);
          inRegister(gv[o]);
        }
        for (int i = 0; i < KI; i++)
          for (int j = 0; j < KJ; j++) {
            V xv = load<V>(xrow + i * xStep + ws + j * r.dw);
            inRegister(xv);
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

/** One vector per tile where a row fits in one, two otherwise; three taps a row unrolled. */
template <class T>
void convRows(const ConvRows<T>& r, int64_t h0, int64_t h1) {
  const bool one = r.wo <= Vec<T>::L;
  if (r.kw == 3) {
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
