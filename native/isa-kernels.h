// Kernels compiled once per instruction set. The including file defines CR_ISA (namespace),
// CR_ISA_NAME, CR_VECTOR_BYTES (vector width) and, per float type (F32, F64), the GEMM micro-tile
// (CR_F32_TILE_ROWS x CR_F32_TILE_VECTORS vectors) and cache blocks (CR_F32_BLOCK_K, _M, _N). It
// includes every system header first and only then switches the target: everything defined here
// is ISA-specific and lives in its own namespace, so no inline function is shared with (and
// picked by) another path.
// Vectors are GCC/Clang vector extensions; the compiler maps them to zmm/ymm/xmm or NEON.

#include "isa-vec.h"
#include "isa-gemm.h"
#include "isa-math.h"
#include "conv-kernels.h"

namespace cr {
namespace CR_ISA {
namespace {

// ---- elementwise ------------------------------------------------------------------------
// Vector loops for some ops only: an op without a case here returns false, and the caller
// (elementwise.cc) runs the op's scalar kernel from scalar-ops.h instead. They repeat those
// kernels' rules rather than call them: a shared inline function instantiated here would carry
// this ISA's instructions, and the linker may hand that copy to every path.

/** out[i] = f(a[i*sa], b[i*sb]), with the common stride patterns as separate loops. */
template <class T, class U, class F>
inline void binaryLoop(const T* __restrict a, int64_t sa, const T* __restrict b, int64_t sb, U* __restrict out,
                       int64_t n, F f) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) out[i] = f(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const T y = *b;
    for (int64_t i = 0; i < n; i++) out[i] = f(a[i], y);
  } else if (sa == 0 && sb == 1) {
    const T x = *a;
    for (int64_t i = 0; i < n; i++) out[i] = f(x, b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) out[i] = f(a[i * sa], b[i * sb]);
  }
}

template <class T>
bool binary(int op, const T* a, int64_t sa, const T* b, int64_t sb, T* out, int64_t n) {
  switch (op) {
    case kAdd:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x + y; });
      return true;
    case kSub:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x - y; });
      return true;
    case kMul:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x * y; });
      return true;
    case kDiv:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x / y; });
      return true;
    // NaN in either operand wins, as in the reference (and torch.maximum)
    case kMaximum:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x != x || y != y ? x + y : x > y ? x : y; });
      return true;
    case kMinimum:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x != x || y != y ? x + y : x < y ? x : y; });
      return true;
    case kReluBackward:
      binaryLoop(a, sa, b, sb, out, n, [](T g, T y) { return y > 0 ? g : T(0); });
      return true;
    default:
      return false;
  }
}

template <class T>
bool compare(int op, const T* a, int64_t sa, const T* b, int64_t sb, uint8_t* out, int64_t n) {
  switch (op) {
    case kEq:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x == y; });
      return true;
    case kNe:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x != y; });
      return true;
    case kLt:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x < y; });
      return true;
    case kLe:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x <= y; });
      return true;
    case kGt:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x > y; });
      return true;
    case kGe:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) -> uint8_t { return x >= y; });
      return true;
    default:
      return false;
  }
}

template <class T, class F>
inline void unaryLoop(const T* __restrict x, int64_t sx, T* __restrict out, int64_t n, F f) {
  if (sx == 1) {
    for (int64_t i = 0; i < n; i++) out[i] = f(x[i]);
  } else {
    for (int64_t i = 0; i < n; i++) out[i] = f(x[i * sx]);
  }
}

template <class T>
bool unary(int op, const T* x, int64_t sx, T* out, int64_t n) {
  switch (op) {
    case kNeg:
      unaryLoop(x, sx, out, n, [](T v) { return -v; });
      return true;
    case kSqrt:
      unaryLoop(x, sx, out, n, [](T v) { return sqrtOf(v); });
      return true;
    case kRsqrt:
      unaryLoop(x, sx, out, n, [](T v) { return T(1) / sqrtOf(v); });
      return true;
    case kAbs:
      unaryLoop(x, sx, out, n, [](T v) { return absOf(v); });
      return true;
    // relu(NaN) = NaN and relu(-0) = +0, as in the reference
    case kRelu:
      unaryLoop(x, sx, out, n, [](T v) { return v > 0 ? v : v != v ? v : T(0); });
      return true;
    case kReciprocal:
      unaryLoop(x, sx, out, n, [](T v) { return T(1) / v; });
      return true;
    case kSquare:
      unaryLoop(x, sx, out, n, [](T v) { return v * v; });
      return true;
    default:
      break;
  }
  // the transcendental ones: exp, tanh, sigmoid and erf vectorised in both types, expm1, log and
  // log1p in float (double keeps the scalar kernel's C library calls for them)
  void (*run)(const T*, T*, int64_t) = op == kExp       ? expLoop<T>
                                       : op == kTanh    ? tanhLoop<T>
                                       : op == kSigmoid ? sigmoidLoop<T>
                                       : op == kErf     ? erfLoop<T>
                                       : sizeof(T) == 8 ? nullptr
                                       : op == kExpm1   ? expm1Loop<T>
                                       : op == kLog     ? logLoop<T>
                                       : op == kLog1p   ? log1pLoop<T>
                                                        : nullptr;
  if (!run) return false;
  if (sx == 1) return run(x, out, n), true;
  // a strided input is gathered into out (contiguous) and mapped there in place
  for (int64_t i = 0; i < n; i++) out[i] = x[i * sx];
  run(out, out, n);
  return true;
}

/** Sum in double with several vector accumulators. */
template <class T>
double sum(const T* x, int64_t n) {
  int64_t i = 0;
  double s = 0;
  if constexpr (sizeof(T) == 4) {
    constexpr int L = kVectorBytes / 8;  // doubles per vector = floats per half vector
    vd a0{}, a1{};
    for (; i + 4 * L <= n; i += 4 * L) {
      a0 += __builtin_convertvector(load<vfh>(x + i), vd) + __builtin_convertvector(load<vfh>(x + i + L), vd);
      a1 += __builtin_convertvector(load<vfh>(x + i + 2 * L), vd) +
            __builtin_convertvector(load<vfh>(x + i + 3 * L), vd);
    }
    vd t = a0 + a1;
    for (int l = 0; l < L; l++) s += t[l];
  } else {
    constexpr int L = kVectorBytes / 8;
    vd a0{}, a1{}, a2{}, a3{};
    for (; i + 4 * L <= n; i += 4 * L) {
      a0 += load<vd>(x + i);
      a1 += load<vd>(x + i + L);
      a2 += load<vd>(x + i + 2 * L);
      a3 += load<vd>(x + i + 3 * L);
    }
    vd t = (a0 + a1) + (a2 + a3);
    for (int l = 0; l < L; l++) s += t[l];
  }
  for (; i < n; i++) s += x[i];
  return s;
}

template <class T>
void addTo(double* __restrict acc, const T* __restrict x, int64_t n) {
  for (int64_t j = 0; j < n; j++) acc[j] += x[j];
}

/**
 * out[r*orow + c] += alpha * x[r*xr + c] for r < rows, c < cols: the short rows of a fold's
 * windows, each a few vectors with a masked last one.
 */
template <class T>
void axpyRows(T alpha, const T* x, int64_t xr, T* out, int64_t orow, int64_t rows, int64_t cols) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  const int64_t full = cols - cols % L;
  const int tail = static_cast<int>(cols - full);
  // even rows, then odd ones: a masked load of out must wait for an earlier masked store whose
  // vector it overlaps (no forwarding), and neighbouring rows of a grid are closer than a vector
  for (int64_t start = 0; start < 2; start++)
    for (int64_t r = start; r < rows; r += 2) {
      const T* xp = x + r * xr;
      T* op = out + r * orow;
      for (int64_t c = 0; c < full; c += L) store(op + c, load<V>(op + c) + alpha * load<V>(xp + c));
      if (tail) storeFirst(op + full, loadFirst<V>(op + full, tail) + alpha * loadFirst<V>(xp + full, tail), tail);
    }
}

/** d[r*dr + c] = s[r*sr + c] for r < rows, c < cols: an im2col's short rows, bit-exact. */
template <class T>
void copyRows(const T* s, int64_t sr, T* d, int64_t dr, int64_t rows, int64_t cols) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  const int64_t full = cols - cols % L;
  const int tail = static_cast<int>(cols - full);
  for (int64_t r = 0; r < rows; r++, s += sr, d += dr) {
    for (int64_t c = 0; c < full; c += L) store(d + c, load<V>(s + c));
    if (tail) storeFirst(d + full, loadFirst<V>(s + full, tail), tail);
  }
}

template <int... P, class V>
inline V evenLanes(V a, V b, std::integer_sequence<int, P...>) {
  return __builtin_shufflevector(a, b, (2 * P)...);
}
template <int... P, class V>
inline V oddLanes(V a, V b, std::integer_sequence<int, P...>) {
  return __builtin_shufflevector(a, b, (2 * P + 1)...);
}

/**
 * Max pooling along one row of n windows two wide with stride 2 over a contiguous last dim: tap
 * pair q is x[rowOff[q] + 2j] and x[rowOff[q] + 2j + 1], at plane positions rowPlane[q] (+ 1)
 * relative to the window's. values[j] is the window's first maximum (NaN wins) and positions[j]
 * = posBase + j * posStep + the plane position of that tap. Lanes are windows: each pair is two
 * loads split into even and odd lanes, so a window costs a few vector instructions.
 */
template <class T>
void maxPool2(const T* x, const int64_t* rowOff, const int64_t* rowPlane, int64_t pairs, int64_t n, int64_t posBase,
              int64_t posStep, T* values, int32_t* positions) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  using I = decltype(V{} < V{});
  using Lane = decltype(I{}[0] + 0);
  using Seq = std::make_integer_sequence<int, L>;
  I iota{};
  for (int l = 0; l < L; l++) iota[l] = l;
  for (int64_t j0 = 0; j0 < n; j0 += L) {
    const int m = static_cast<int>(n - j0 < L ? n - j0 : L);
    V best{};
    I at{}, nan{};
    for (int64_t q = 0; q < pairs; q++) {
      const T* p = x + rowOff[q] + 2 * j0;
      const V a = 2 * m >= L ? load<V>(p) : loadFirst<V>(p, 2 * m);
      const V b = m == L ? load<V>(p + L) : 2 * m > L ? loadFirst<V>(p + L, 2 * m - L) : V{};
      const V c[2] = {evenLanes(a, b, Seq{}), oddLanes(a, b, Seq{})};
      for (int kk = 0; kk < 2; kk++) {
        nan |= c[kk] != c[kk];
        const I here = I{} + static_cast<Lane>(rowPlane[q] + kk);
        if (q == 0 && kk == 0) {
          best = c[0];
          at = here;
          continue;
        }
        // a strict greater-than keeps the first maximum; NaN never wins it (fixed below)
        const I gt = c[kk] > best;
        best = gt ? c[kk] : best;
        at = gt ? here : at;
      }
    }
    const I pos = at + static_cast<Lane>(posBase + j0 * posStep) + iota * static_cast<Lane>(posStep);
    if (m == L)
      store(values + j0, best);
    else
      storeFirst(values + j0, best, m);
    if constexpr (sizeof(T) == 4) {
      // int32 lanes fill a float vector: stored with the same (masked) moves, bit for bit
      if (m == L)
        __builtin_memcpy(positions + j0, &pos, sizeof pos);
      else
        storeFirst(reinterpret_cast<float*>(positions + j0), reinterpret_cast<V>(pos), m);
    } else {
      for (int l = 0; l < m; l++) positions[j0 + l] = static_cast<int32_t>(pos[l]);
    }
    if (!anyLane(nan)) continue;
    // the first NaN tap wins
    for (int l = 0; l < m; l++) {
      if (!nan[l]) continue;
      for (int64_t t = 0; t < 2 * pairs; t++) {
        const T v = x[rowOff[t / 2] + 2 * (j0 + l) + t % 2];
        if (v != v) {
          values[j0 + l] = v;
          positions[j0 + l] = static_cast<int32_t>(posBase + (j0 + l) * posStep + rowPlane[t / 2] + t % 2);
          break;
        }
      }
    }
  }
}

/** out[i] = e^(x[i] − shift) for i < n: a softmax row's exponentials, a vector at a time. */
template <class T>
void expShift(const T* __restrict x, T shift, T* __restrict out, int64_t n) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  const V s = V{} + shift;
  int64_t i = 0;
  for (; i + L <= n; i += L) store(out + i, expOf(load<V>(x + i) - s));
  if (i < n) storeFirst(out + i, expOf(loadFirst<V>(x + i, static_cast<int>(n - i)) - s), static_cast<int>(n - i));
}

template <class T>
void transposeCopy(const T* s, int64_t sc, T* d, int64_t dr, int64_t rows, int64_t cols) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  const int64_t rFull = rows - rows % L, cFull = cols - cols % L;
  for (int64_t r0 = 0; r0 < rFull; r0 += L) {
    for (int64_t c0 = 0; c0 < cFull; c0 += L) {
      V v[L];
#pragma GCC unroll 16
      for (int j = 0; j < L; j++) v[j] = load<V>(s + r0 + (c0 + j) * sc);
      transpose<T>(v);
#pragma GCC unroll 16
      for (int i = 0; i < L; i++) store(d + (r0 + i) * dr + c0, v[i]);
    }
    for (int64_t r = r0; r < r0 + L; r++)
      for (int64_t c = cFull; c < cols; c++) d[r * dr + c] = s[r + c * sc];
  }
  for (int64_t r = rFull; r < rows; r++)
    for (int64_t c = 0; c < cols; c++) d[r * dr + c] = s[r + c * sc];
}

/** The GEMM kernel for T: an mr x (nv vectors) micro-tile, with cache blocks kc, mc and nc. */
template <class T, int MR, int NV>
constexpr GemmKernel<T> gemmKernel(int kc, int mc, int nc) {
  constexpr int nr = NV * Vec<T>::L;
  return {MR, nr, kc, mc, nc, microKernel<T, MR, NV>, edgeKernel<T, MR, NV>, packA<T, MR>, packB<T, nr>, smallM<T>};
}

/** The elementwise loops for T. */
template <class T>
constexpr FloatLoops<T> floatLoopsTable() {
  return {binary<T>,       compare<T>,  unary<T>,          sum<T>,
          addTo<T>,        transposeCopy<T>, axpyRows<T>, copyRows<T>,
          maxPool2<T>,     expShift<T>, expLoop<T>,        expm1Loop<T>,
          logLoop<T>,      tanhLoop<T>, sigmoidLoop<T>,    erfLoop<T>,
          activationLoop<T>, activationGradLoop<T>};
}

constexpr IsaTable kTable = {
    CR_ISA_NAME,
    gemmKernel<float, CR_F32_TILE_ROWS, CR_F32_TILE_VECTORS>(CR_F32_BLOCK_K, CR_F32_BLOCK_M, CR_F32_BLOCK_N),
    gemmKernel<double, CR_F64_TILE_ROWS, CR_F64_TILE_VECTORS>(CR_F64_BLOCK_K, CR_F64_BLOCK_M, CR_F64_BLOCK_N),
    floatLoopsTable<float>(),
    floatLoopsTable<double>(),
    {CR_CONV_OB, CR_CONV_WOB, CR_CONV_GRAD_OB, CR_WINOGRAD_GRAD_O, CR_WINOGRAD_GRAD_C, convRows<float>, convRows<double>, convGradRows<float>, convGradRows<double>,
     winogradInput, winogradOutput, winogradGradIn, winogradGrad},
};

}  // namespace

const IsaTable& table() { return kTable; }

}  // namespace CR_ISA
}  // namespace cr
