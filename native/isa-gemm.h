// The GEMM pieces of the per-ISA kernels (included by isa-kernels.h, after the target switch):
// the register-blocked micro-kernel, packing with in-register transposes, and the unpacked
// paths for small products (row blocks when b's rows are contiguous, blocked dot products).

namespace cr {
namespace CR_ISA {
namespace {


/**
 * The register-blocked core: R x (NV vectors) accumulators, one rank-1 update per k, over a
 * panel packed MR rows wide (R < MR: the last panel's real rows, so padding costs nothing).
 */
template <class T, int MR, int NV, int R = MR>
void microKernel(int64_t kc, const T* __restrict a, const T* __restrict b, T* __restrict c, int64_t ldc,
                 bool accumulate) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  constexpr int NR = NV * L;
  V acc[R][NV];
  // the C tile is touched only after the k loop: fetch its lines now so the update does not stall
#pragma GCC unroll 32
  for (int i = 0; i < R; i++) {
    __builtin_prefetch(c + i * ldc, 1, 3);
    __builtin_prefetch(c + i * ldc + NR - 1, 1, 3);
  }
#pragma GCC unroll 32
  for (int i = 0; i < R; i++)
#pragma GCC unroll 8
    for (int j = 0; j < NV; j++) acc[i][j] = V{};
  for (int64_t k = 0; k < kc; k++) {
    // a streams from L2 (each panel is read once per strip) while b is reused across panels;
    // prefetches past the panel end are harmless hints
    __builtin_prefetch(a + 8 * MR, 0, 3);
    V bv[NV];
#pragma GCC unroll 8
    for (int j = 0; j < NV; j++) bv[j] = load<V>(b + j * L);
#pragma GCC unroll 32
    for (int i = 0; i < R; i++) {
      const T ai = a[i];
#pragma GCC unroll 8
      for (int j = 0; j < NV; j++) acc[i][j] = madd(acc[i][j], splat<V>(ai), bv[j]);
    }
    a += MR;
    b += NR;
  }
#pragma GCC unroll 32
  for (int i = 0; i < R; i++) {
#pragma GCC unroll 8
    for (int j = 0; j < NV; j++) {
      T* p = c + i * ldc + j * L;
      store(p, accumulate ? load<V>(p) + acc[i][j] : acc[i][j]);
    }
  }
}

/** The last panel's kernel: `rows` (1 .. MR-1) real rows, each count its own unrolled kernel. */
template <class T, int MR, int NV, int... R>
void edgeKernelOf(std::integer_sequence<int, R...>, int rows, int64_t kc, const T* a, const T* b, T* c, int64_t ldc,
                  bool accumulate) {
  using Fn = void (*)(int64_t, const T*, const T*, T*, int64_t, bool);
  static constexpr Fn kernels[] = {microKernel<T, MR, NV, R + 1>...};
  kernels[rows - 1](kc, a, b, c, ldc, accumulate);
}

/** See GemmKernel::edge. */
template <class T, int MR, int NV>
void edgeKernel(int rows, int64_t kc, const T* a, const T* b, T* c, int64_t ldc, bool accumulate) {
  edgeKernelOf<T, MR, NV>(std::make_integer_sequence<int, MR - 1>{}, rows, kc, a, b, c, ldc, accumulate);
}

/** See GemmKernel::packA. Row-major A (csa == 1) is transposed in registers, L x L at a time. */
template <class T, int MR>
void packA(const T* a, int64_t rsa, int64_t csa, int64_t rows, int64_t kc, T* dst) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  for (int64_t ip = 0; ip < rows; ip += MR, dst += MR * kc) {
    const int64_t r = rows - ip < MR ? rows - ip : MR;
    const T* src = a + ip * rsa;
    int64_t k = 0;
    if (rsa == 1 && r == MR) {
      for (; k < kc; k++) copyN<MR>(dst + k * MR, src + k * csa);
      continue;
    }
    if (csa == 1) {
      for (; k + L <= kc; k += L) {
#pragma GCC unroll 4
        for (int g = 0; g < MR; g += L) {
          V v[L];
#pragma GCC unroll 16
          for (int i = 0; i < L; i++) v[i] = g + i < r ? load<V>(src + (g + i) * rsa + k) : V{};
          transpose<T>(v);
          constexpr int W0 = MR % L == 0 ? L : MR % L;
#pragma GCC unroll 16
          for (int kk = 0; kk < L; kk++) {
            if (g + L <= MR)
              copyN<L>(dst + (k + kk) * MR + g, reinterpret_cast<const T*>(&v[kk]));
            else
              copyN<W0>(dst + (k + kk) * MR + g, reinterpret_cast<const T*>(&v[kk]));
          }
        }
      }
    }
    for (; k < kc; k++)
      for (int i = 0; i < MR; i++) dst[k * MR + i] = i < r ? src[i * rsa + k * csa] : T(0);
  }
}

/** See GemmKernel::packB. A transposed B (rsb == 1) is transposed back in registers. */
template <class T, int NR>
void packB(const T* b, int64_t rsb, int64_t csb, int64_t cols, int64_t kc, T* dst) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  int64_t k = 0;
  if (csb == 1) {
    if (cols == NR) {
      for (; k < kc; k++) copyN<NR>(dst + k * NR, b + k * rsb);
    } else {
      for (; k < kc; k++)
        for (int j = 0; j < NR; j++) dst[k * NR + j] = j < cols ? b[k * rsb + j] : T(0);
    }
    return;
  }
  if (rsb == 1 && cols == NR) {
    for (; k + L <= kc; k += L) {
#pragma GCC unroll 4
      for (int g = 0; g < NR; g += L) {
        V v[L];
#pragma GCC unroll 16
        for (int j = 0; j < L; j++) v[j] = load<V>(b + (g + j) * csb + k);
        transpose<T>(v);
#pragma GCC unroll 16
        for (int kk = 0; kk < L; kk++) store(dst + (k + kk) * NR + g, v[kk]);
      }
    }
  }
  for (; k < kc; k++)
    for (int j = 0; j < NR; j++) dst[k * NR + j] = j < cols ? b[k * rsb + j * csb] : T(0);
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
      a0 = madd(a0, load<V>(x + k), load<V>(y + k));
      a1 = madd(a1, load<V>(x + k + L), load<V>(y + k + L));
      a2 = madd(a2, load<V>(x + k + 2 * L), load<V>(y + k + 2 * L));
      a3 = madd(a3, load<V>(x + k + 3 * L), load<V>(y + k + 3 * L));
    }
    for (; k + L <= n; k += L) a0 = madd(a0, load<V>(x + k), load<V>(y + k));
    s = hsum<T>((a0 + a1) + (a2 + a3));
  }
  for (; k < n; k++) s += x[k] * y[k * sy];
  return s;
}

/** RB rows x NV vectors of c = a (RB rows, strides rsa/csa) @ b (rows rsb apart, contiguous columns). */
template <class T, int RB, int NV>
inline void rowsBlock(int64_t k, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb, T* c, int64_t ldc) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  V acc[RB][NV];
#pragma GCC unroll 8
  for (int r = 0; r < RB; r++)
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) acc[r][v] = V{};
  for (int64_t kk = 0; kk < k; kk++) {
    V bv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) bv[v] = load<V>(b + kk * rsb + v * L);
#pragma GCC unroll 8
    for (int r = 0; r < RB; r++) {
      const T ar = a[r * rsa + kk * csa];
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) acc[r][v] = madd(acc[r][v], splat<V>(ar), bv[v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < RB; r++)
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) store(c + r * ldc + v * L, acc[r][v]);
}

/** All columns of RB rows: blocks of 4 vectors, then single vectors, then a scalar tail. */
template <class T, int RB>
inline void rowsOf(int64_t n, int64_t k, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb, T* c,
                   int64_t ldc) {
  constexpr int L = Vec<T>::L;
  int64_t j = 0;
  for (; j + 4 * L <= n; j += 4 * L) rowsBlock<T, RB, 4>(k, a, rsa, csa, b + j, rsb, c + j, ldc);
  for (; j + L <= n; j += L) rowsBlock<T, RB, 1>(k, a, rsa, csa, b + j, rsb, c + j, ldc);
  // the last partial vector of columns: redo the final full vector (outputs are written, not added)
  if (j < n && n >= L) {
    rowsBlock<T, RB, 1>(k, a, rsa, csa, b + n - L, rsb, c + n - L, ldc);
    j = n;
  }
  for (; j < n; j++)
    for (int r = 0; r < RB; r++) {
      T acc = 0;
      for (int64_t kk = 0; kk < k; kk++) acc += a[r * rsa + kk * csa] * b[kk * rsb + j];
      c[r * ldc + j] = acc;
    }
}

/** Unpacked product when b's rows are contiguous: register blocks of 4 rows x 64 bytes-wide vectors. */
template <class T>
void directRows(int64_t m, int64_t n, int64_t k, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
                T* c, int64_t ldc) {
  int64_t i = 0;
  for (; i + 4 <= m; i += 4) rowsOf<T, 4>(n, k, a + i * rsa, rsa, csa, b, rsb, c + i * ldc, ldc);
  for (; i < m; i++) rowsOf<T, 1>(n, k, a + i * rsa, rsa, csa, b, rsb, c + i * ldc, ldc);
}

/** RI x RJ dot products of contiguous a rows and contiguous b columns, with vector accumulators. */
template <class T, int RI, int RJ>
inline void dotBlock(int64_t k, const T* a, int64_t rsa, const T* b, int64_t csb, T* c, int64_t ldc) {
  using V = typename Vec<T>::V;
  constexpr int L = Vec<T>::L;
  V acc[RI][RJ];
#pragma GCC unroll 8
  for (int i = 0; i < RI; i++)
#pragma GCC unroll 8
    for (int j = 0; j < RJ; j++) acc[i][j] = V{};
  int64_t kk = 0;
  for (; kk + L <= k; kk += L) {
    V av[RI], bv[RJ];
#pragma GCC unroll 8
    for (int i = 0; i < RI; i++) av[i] = load<V>(a + i * rsa + kk);
#pragma GCC unroll 8
    for (int j = 0; j < RJ; j++) bv[j] = load<V>(b + j * csb + kk);
#pragma GCC unroll 8
    for (int i = 0; i < RI; i++) inRegister(av[i]);
#pragma GCC unroll 8
    for (int i = 0; i < RI; i++)
#pragma GCC unroll 8
      for (int j = 0; j < RJ; j++) acc[i][j] = madd(acc[i][j], av[i], bv[j]);
  }
  if (kk < k && k >= L) {
    // the last partial vector: reload the final L elements and mask off the lanes already summed
    using I = decltype(V{} < V{});
    I lane{};
    for (int l = 0; l < L; l++) lane[l] = l;
    const I keep = lane >= static_cast<decltype(lane[0] + 0)>(L - (k - kk));
    V av[RI], bv[RJ];
#pragma GCC unroll 8
    for (int i = 0; i < RI; i++) av[i] = reinterpret_cast<V>(reinterpret_cast<I>(load<V>(a + i * rsa + k - L)) & keep);
#pragma GCC unroll 8
    for (int j = 0; j < RJ; j++) bv[j] = load<V>(b + j * csb + k - L);
#pragma GCC unroll 8
    for (int i = 0; i < RI; i++)
#pragma GCC unroll 8
      for (int j = 0; j < RJ; j++) acc[i][j] = madd(acc[i][j], av[i], bv[j]);
    kk = k;
  }
#pragma GCC unroll 8
  for (int i = 0; i < RI; i++)
#pragma GCC unroll 8
    for (int j = 0; j < RJ; j++) {
      T s = hsum<T>(acc[i][j]);
      for (int64_t t = kk; t < k; t++) s += a[i * rsa + t] * b[j * csb + t];
      c[i * ldc + j] = s;
    }
}

/** Unpacked product when a's rows and b's columns are both contiguous along k: dot products, 4 x 4 at a time. */
template <class T>
void directDots(int64_t m, int64_t n, int64_t k, const T* a, int64_t rsa, const T* b, int64_t csb, T* c,
                int64_t ldc) {
  int64_t i = 0;
  for (; i + 4 <= m; i += 4) {
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) dotBlock<T, 4, 4>(k, a + i * rsa, rsa, b + j * csb, csb, c + i * ldc + j, ldc);
    for (; j + 2 <= n; j += 2) dotBlock<T, 4, 2>(k, a + i * rsa, rsa, b + j * csb, csb, c + i * ldc + j, ldc);
    for (; j < n; j++) dotBlock<T, 4, 1>(k, a + i * rsa, rsa, b + j * csb, csb, c + i * ldc + j, ldc);
  }
  for (; i < m; i++)
    for (int64_t j = 0; j < n; j++) dotBlock<T, 1, 1>(k, a + i * rsa, rsa, b + j * csb, csb, c + i * ldc + j, ldc);
}

/** Few-row product without packing (see GemmKernel::smallM). */
template <class T>
void smallM(int64_t m, int64_t n, int64_t k, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
            int64_t csb, T* c, int64_t ldc) {
  if (csb == 1) return directRows(m, n, k, a, rsa, csa, b, rsb, c, ldc);
  if (csa == 1) return directDots(m, n, k, a, rsa, b, csb, c, ldc);
  // columns of b are contiguous along k but rows of a are not: one strided dot per element
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) c[i * ldc + j] = dot(b + j * csb, a + i * rsa, csa, k);
}

}  // namespace
}  // namespace CR_ISA
}  // namespace cr
