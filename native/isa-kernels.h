// Kernels compiled once per instruction set. The including file defines CR_ISA (namespace),
// CR_VBYTES (vector width), the micro-tile sizes and cache blocks, includes every system header
// first and only then switches the target: everything defined here is ISA-specific and lives
// in its own namespace, so no inline function is shared with (and picked by) another path.
// Vectors are GCC/Clang vector extensions; the compiler maps them to zmm/ymm/xmm or NEON.

namespace cr {
namespace CR_ISA {
namespace {

constexpr int kVB = CR_VBYTES;
typedef float vf __attribute__((vector_size(kVB)));
typedef double vd __attribute__((vector_size(kVB)));
typedef float vfh __attribute__((vector_size(kVB / 2)));

template <class T>
struct Vec;
template <>
struct Vec<float> {
  using V = vf;
  static constexpr int L = kVB / 4;
};
template <>
struct Vec<double> {
  using V = vd;
  static constexpr int L = kVB / 8;
};

inline float sqrtOf(float v) { return __builtin_sqrtf(v); }
inline double sqrtOf(double v) { return __builtin_sqrt(v); }
inline float absOf(float v) { return __builtin_fabsf(v); }
inline double absOf(double v) { return __builtin_fabs(v); }

template <class V, class T>
inline V load(const T* p) {
  V v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
template <class V, class T>
inline void store(T* p, V v) {
  __builtin_memcpy(p, &v, sizeof v);
}

// ---- GEMM -------------------------------------------------------------------------------

/** The register-blocked core: MR x (NV vectors) accumulators, one rank-1 update per k. */
template <class T, int MR, int NV>
void microKernel(int64_t kc, const T* __restrict a, const T* __restrict b, T* __restrict c, int64_t ldc,
                 bool accumulate) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  constexpr int NR = NV * L;
  V acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
    for (int j = 0; j < NV; j++) acc[i][j] = V{};
  for (int64_t k = 0; k < kc; k++) {
    V bv[NV];
#pragma GCC unroll 8
    for (int j = 0; j < NV; j++) bv[j] = load<V>(b + j * L);
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
      const T ai = a[i];
#pragma GCC unroll 8
      for (int j = 0; j < NV; j++) acc[i][j] += ai * bv[j];
    }
    a += MR;
    b += NR;
  }
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++) {
#pragma GCC unroll 8
    for (int j = 0; j < NV; j++) {
      T* p = c + i * ldc + j * L;
      store(p, accumulate ? load<V>(p) + acc[i][j] : acc[i][j]);
    }
  }
}

/** dot(x[0..n), y[0..n)) with x contiguous and y at stride sy. */
template <class T>
T dot(const T* __restrict x, const T* __restrict y, int64_t sy, int64_t n) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  int64_t k = 0;
  T s = 0;
  if (sy == 1) {
    V a0{}, a1{}, a2{}, a3{};
    for (; k + 4 * L <= n; k += 4 * L) {
      a0 += load<V>(x + k) * load<V>(y + k);
      a1 += load<V>(x + k + L) * load<V>(y + k + L);
      a2 += load<V>(x + k + 2 * L) * load<V>(y + k + 2 * L);
      a3 += load<V>(x + k + 3 * L) * load<V>(y + k + 3 * L);
    }
    for (; k + L <= n; k += L) a0 += load<V>(x + k) * load<V>(y + k);
    V t = (a0 + a1) + (a2 + a3);
    for (int l = 0; l < L; l++) s += t[l];
  }
  for (; k < n; k++) s += x[k] * y[k * sy];
  return s;
}

/** c[0..n) += alpha * b[0..n). */
template <class T>
inline void axpy(T* __restrict c, T alpha, const T* __restrict b, int64_t n) {
  for (int64_t j = 0; j < n; j++) c[j] += alpha * b[j];
}

/** Few-row product without packing (see GemmKernel::smallM). */
template <class T>
void smallM(int64_t m, int64_t n, int64_t k, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
            int64_t csb, T* c, int64_t ldc) {
  if (csb == 1) {
    // rows of b are contiguous: stream them once per column block, updating every row of c
    constexpr int64_t JB = 2048;
    for (int64_t j0 = 0; j0 < n; j0 += JB) {
      const int64_t jn = n - j0 < JB ? n - j0 : JB;
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < jn; j++) c[i * ldc + j0 + j] = 0;
      for (int64_t kk = 0; kk < k; kk++)
        for (int64_t i = 0; i < m; i++) axpy(c + i * ldc + j0, a[i * rsa + kk * csa], b + kk * rsb + j0, jn);
    }
    return;
  }
  // columns of b are contiguous along k (a transposed operand): one dot product per element
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      const T* bj = b + j * csb;
      c[i * ldc + j] = csa == 1 ? dot(a + i * rsa, bj, 1, k) : dot(bj, a + i * rsa, csa, k);
    }
}

// ---- elementwise ------------------------------------------------------------------------

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
    case kAddOp:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x + y; });
      return true;
    case kSubOp:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x - y; });
      return true;
    case kMulOp:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x * y; });
      return true;
    case kDivOp:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x / y; });
      return true;
    // NaN in either operand wins, as in the reference (and torch.maximum)
    case kMaximumOp:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x != x || y != y ? x + y : x > y ? x : y; });
      return true;
    case kMinimumOp:
      binaryLoop(a, sa, b, sb, out, n, [](T x, T y) { return x != x || y != y ? x + y : x < y ? x : y; });
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
      return false;
  }
}

/** Sum in double with several vector accumulators. */
template <class T>
double sum(const T* x, int64_t n) {
  int64_t i = 0;
  double s = 0;
  if constexpr (sizeof(T) == 4) {
    constexpr int L = kVB / 8;  // doubles per vector = floats per half vector
    vd a0{}, a1{};
    for (; i + 4 * L <= n; i += 4 * L) {
      a0 += __builtin_convertvector(load<vfh>(x + i), vd) + __builtin_convertvector(load<vfh>(x + i + L), vd);
      a1 += __builtin_convertvector(load<vfh>(x + i + 2 * L), vd) +
            __builtin_convertvector(load<vfh>(x + i + 3 * L), vd);
    }
    vd t = a0 + a1;
    for (int l = 0; l < L; l++) s += t[l];
  } else {
    constexpr int L = kVB / 8;
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

const IsaTable kTable = {
    CR_ISA_NAME,
    {CR_SMR, CR_SNV * (kVB / 4), CR_SKC, CR_SMC, CR_SNC, microKernel<float, CR_SMR, CR_SNV>, smallM<float>},
    {CR_DMR, CR_DNV * (kVB / 8), CR_DKC, CR_DMC, CR_DNC, microKernel<double, CR_DMR, CR_DNV>, smallM<double>},
    {binary<float>, compare<float>, unary<float>, sum<float>, addTo<float>},
    {binary<double>, compare<double>, unary<double>, sum<double>, addTo<double>},
};

}  // namespace

const IsaTable& table() { return kTable; }

}  // namespace CR_ISA
}  // namespace cr
