// The pointwise parts of the LSTM and GRU cells and their gradients, one pass over the batch's
// rows each: every operand is a 2-D view [N, k·H] (any strides), gates side by side along a row
// in PyTorch's order. Forwards run the activations as vector loops over whole gate runs
// (FloatLoops' sigmoid and tanh) and write them out for the backward, which is then plain
// arithmetic. Rows are shared between threads.

#include <type_traits>
#include <vector>

#include "buffers.h"
#include "calls.h"
#include "isa.h"
#include "kernels.h"
#include "thread-pool.h"

namespace cr {
namespace {

// Row elements per thread part: the activations cost several times an add.
constexpr int64_t kGrain = 1 << 12;

/** Row r of a 2-D view: its first element and its column stride. */
template <class T>
struct Row {
  T* base;
  int64_t rs, cs;
  explicit Row(const View& v)
      : base(reinterpret_cast<T*>(v.data) + v.offset), rs(v.nd == 2 ? v.strides[0] : 0), cs(v.nd == 2 ? v.strides[1] : 1) {}
  T* at(int64_t r) const { return base + r * rs; }
};

/** A contiguous copy of row r when its columns are strided (into buf), else the row itself. */
template <class T>
const T* dense(const Row<T>& v, int64_t r, int64_t n, T* buf) {
  const T* p = v.at(r);
  if (v.cs == 1) return p;
  for (int64_t i = 0; i < n; i++) buf[i] = p[i * v.cs];
  return buf;
}

/** Where to write row r: the row itself when contiguous, else buf (scattered back by `flush`). */
template <class T>
T* target(const Row<T>& v, int64_t r, T* buf) {
  return v.cs == 1 ? v.at(r) : buf;
}

template <class T>
void flush(const Row<T>& v, int64_t r, int64_t n, const T* buf) {
  if (v.cs == 1) return;
  T* p = v.at(r);
  for (int64_t i = 0; i < n; i++) p[i * v.cs] = buf[i];
}

/**
 * Calls body(s...) with each column stride as it is, or, when all are 1, as the constant 1: the
 * common dense case then compiles to vector loops.
 */
template <class F, class... S>
void withStrides(F&& body, S... strides) {
  const bool dense = ((strides == 1) && ...);
  if (dense)
    body(std::integral_constant<int64_t, (static_cast<void>(strides), 1)>{}...);
  else
    body(strides...);
}

/** Calls body(r, scratch) for each row, rows split between threads; scratch holds `scratch` elements. */
template <class T, class F>
void eachRow(int64_t rows, int64_t rowLen, int64_t scratch, F&& body) {
  parallelFor(rows, kGrain / (rowLen + 1) + 1, [&](int64_t b, int64_t e) {
    std::vector<T> buf(static_cast<size_t>(scratch));
    for (int64_t r = b; r < e; r++) body(r, buf.data());
  });
}

template <class T>
void lstmForward(const View& gates, const View& c, const View& h, const View& cNew, const View& acts) {
  const int64_t n = h.shape[0], H = h.shape[1];
  const Row<T> G(gates), C(c), Ho(h), Co(cNew), A(acts);
  const FloatLoops<T>& loops = floatLoops<T>();
  eachRow<T>(n, 5 * H, 9 * H, [&](int64_t r, T* buf) {
    const T* g = dense(G, r, 4 * H, buf);
    T* a = target(A, r, buf + 4 * H);
    loops.sigmoid(g, a, 2 * H);
    loops.tanh(g + 2 * H, a + 2 * H, H);
    loops.sigmoid(g + 3 * H, a + 3 * H, H);
    const T* cp = C.at(r);
    T* cn = Co.at(r);
    withStrides(
        [&](auto sc, auto scn) {
          for (int64_t j = 0; j < H; j++) {
            const T c2 = a[H + j] * cp[j * sc] + a[j] * a[2 * H + j];
            cn[j * scn] = c2;
            a[4 * H + j] = c2;
          }
        },
        C.cs, Co.cs);
    loops.tanh(a + 4 * H, a + 4 * H, H);
    T* hp = Ho.at(r);
    withStrides([&](auto sh) { for (int64_t j = 0; j < H; j++) hp[j * sh] = a[3 * H + j] * a[4 * H + j]; }, Ho.cs);
    flush(A, r, 5 * H, a);
  });
}

template <class T>
void lstmBackward(const View& acts, const View& c, const View& gh, const View& gc, const View& dGates, const View& dc) {
  const int64_t n = c.shape[0], H = c.shape[1];
  const Row<T> A(acts), C(c), GH(gh), GC(gc), D(dGates), DC(dc);
  eachRow<T>(n, 5 * H, 9 * H, [&](int64_t r, T* buf) {
    const T* a = dense(A, r, 5 * H, buf);
    T* d = target(D, r, buf + 5 * H);
    const T *cp = C.at(r), *ghp = GH.at(r), *gcp = GC.at(r);
    T* dcp = DC.at(r);
    // NOTE: dc may be gc itself: each element is read before it is written
    withStrides(
        [&](auto sc, auto sgh, auto sgc, auto sdc) {
          for (int64_t j = 0; j < H; j++) {
            const T si = a[j], sf = a[H + j], tg = a[2 * H + j], so = a[3 * H + j], tc = a[4 * H + j];
            const T dh = ghp[j * sgh];
            const T dc2 = gcp[j * sgc] + dh * so * (1 - tc * tc);
            d[j] = dc2 * tg * si * (1 - si);
            d[H + j] = dc2 * cp[j * sc] * sf * (1 - sf);
            d[2 * H + j] = dc2 * si * (1 - tg * tg);
            d[3 * H + j] = dh * tc * so * (1 - so);
            dcp[j * sdc] = dc2 * sf;
          }
        },
        C.cs, GH.cs, GC.cs, DC.cs);
    flush(D, r, 4 * H, d);
  });
}

template <class T>
void gruForward(const View& gi, const View& gh, const View& h, const View& hNew, const View& acts) {
  const int64_t n = h.shape[0], H = h.shape[1];
  const Row<T> I(gi), GH(gh), Hi(h), Ho(hNew), A(acts);
  const FloatLoops<T>& loops = floatLoops<T>();
  eachRow<T>(n, 4 * H, 7 * H, [&](int64_t r, T* buf) {
    const T *ip = I.at(r), *gp = GH.at(r), *hp = Hi.at(r);
    T* pre = buf;  // r and z pre-activations, then n's
    T* a = target(A, r, buf + 3 * H);
    for (int64_t j = 0; j < 2 * H; j++) pre[j] = ip[j * I.cs] + gp[j * GH.cs];
    loops.sigmoid(pre, a, 2 * H);
    for (int64_t j = 0; j < H; j++) {
      const T ghn = gp[(2 * H + j) * GH.cs];
      a[3 * H + j] = ghn;
      pre[2 * H + j] = ip[(2 * H + j) * I.cs] + a[j] * ghn;
    }
    loops.tanh(pre + 2 * H, a + 2 * H, H);
    T* op = Ho.at(r);
    for (int64_t j = 0; j < H; j++) {
      const T nn = a[2 * H + j];
      op[j * Ho.cs] = nn + a[H + j] * (hp[j * Hi.cs] - nn);
    }
    flush(A, r, 4 * H, a);
  });
}

template <class T>
void gruBackward(const View& acts, const View& h, const View& g, const View& dGi, const View& dGh, const View& dh) {
  const int64_t n = h.shape[0], H = h.shape[1];
  const Row<T> A(acts), Hi(h), Gr(g), DI(dGi), DH(dGh), Dh(dh);
  eachRow<T>(n, 4 * H, 10 * H, [&](int64_t r, T* buf) {
    const T* a = dense(A, r, 4 * H, buf);
    T* di = target(DI, r, buf + 4 * H);
    T* dg = target(DH, r, buf + 7 * H);
    const T *hp = Hi.at(r), *gp = Gr.at(r);
    T* dhp = Dh.at(r);
    withStrides(
        [&](auto sg, auto sh, auto sdh) {
          for (int64_t j = 0; j < H; j++) {
            const T rg = a[j], z = a[H + j], nn = a[2 * H + j], ghn = a[3 * H + j];
            const T gv = gp[j * sg];
            const T dpn = gv * (1 - z) * (1 - nn * nn);
            const T dpr = dpn * ghn * rg * (1 - rg);
            const T dpz = gv * (hp[j * sh] - nn) * z * (1 - z);
            di[j] = dg[j] = dpr;
            di[H + j] = dg[H + j] = dpz;
            di[2 * H + j] = dpn;
            dg[2 * H + j] = dpn * rg;
            dhp[j * sdh] = gv * z;
          }
        },
        Gr.cs, Hi.cs, Dh.cs);
    flush(DI, r, 3 * H, di);
    flush(DH, r, 3 * H, dg);
  });
}

/** Which cell kernel a call runs, with its counts of input and output views. */
enum CellCall { kLstm, kLstmBackward, kGru, kGruBackward };

/**
 * The four cell calls: nIn input views then the outputs, all 2-D of one float dtype, rows of
 * N = the first operand's rows; widths in units of H are checked against `widths`.
 */
void CellCallOf(Args& a, CellCall call) {
  static const char* const names[] = {"lstmCell", "lstmCellBackward", "gruCell", "gruCellBackward"};
  // widths of each operand in units of H, inputs then outputs
  static const int widths[4][6] = {{4, 1, 1, 1, 5}, {5, 1, 1, 1, 4, 1}, {3, 3, 1, 1, 4}, {4, 1, 1, 3, 3, 1}};
  static const int counts[4][2] = {{2, 3}, {4, 2}, {3, 2}, {3, 3}};
  const std::string op = names[call];
  const int nIn = counts[call][0], nv = nIn + counts[call][1];
  View v[6];
  for (int i = 0; i < nv; i++) v[i] = viewArg(a, i, i < nIn);
  // H: the width of the first one-H-wide operand
  int hAt = 0;
  while (widths[call][hAt] != 1) hAt++;
  for (int i = 0; a.ok() && i < nv; i++) {
    if (v[i].nd != 2 || v[i].dtype != v[0].dtype || (v[i].dtype != kF32 && v[i].dtype != kF64))
      a.error(op + ": operands must be 2-D, float32 or float64, all one dtype", true);
    else if (v[i].shape[0] != v[0].shape[0] || v[i].shape[1] != widths[call][i] * v[hAt].shape[1])
      a.error(op + ": operand " + std::to_string(i) + " does not match the others' rows and gate widths");
  }
  // NOTE: the outputs' deferred zeros are dropped, not written, even where an output covers part
  // of its buffer: the cell kernels' contract leaves the rest unspecified (a recurrence writes its
  // output step by step, every part before anything reads it), which saves a memset of the
  // whole sequence's buffers per call
  for (int i = nIn; a.ok() && i < nv; i++)
    if (Buffer* b = ownBuffer(a, i)) b->zeroPending = false;
  if (a.ok() && v[0].numel() > 0) {
    const bool f = v[0].dtype == kF32;
    switch (call) {
      case kLstm:
        (f ? lstmForward<float> : lstmForward<double>)(v[0], v[1], v[2], v[3], v[4]);
        break;
      case kLstmBackward:
        (f ? lstmBackward<float> : lstmBackward<double>)(v[0], v[1], v[2], v[3], v[4], v[5]);
        break;
      case kGru:
        (f ? gruForward<float> : gruForward<double>)(v[0], v[1], v[2], v[3], v[4]);
        break;
      case kGruBackward:
        (f ? gruBackward<float> : gruBackward<double>)(v[0], v[1], v[2], v[3], v[4], v[5]);
        break;
    }
  }
}

}  // namespace

void LstmCell(Args& a) { CellCallOf(a, kLstm); }
void LstmCellBackward(Args& a) { CellCallOf(a, kLstmBackward); }
void GruCell(Args& a) { CellCallOf(a, kGru); }
void GruCellBackward(Args& a) { CellCallOf(a, kGruBackward); }

}  // namespace cr
