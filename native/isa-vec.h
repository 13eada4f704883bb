// Vector helpers of the per-ISA kernels (included by isa-kernels.h, after the target switch):
// the vector types for this ISA's width, unaligned loads and stores, and the in-register L x L
// transpose that packing and transposing copies use.

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

/** Lane p of the butterfly step of size S: the low (HI false) or high output of rows (a, b). */
constexpr int butterfly(int L, int S, bool hi, int p) {
  return hi ? ((p & S) ? L + p : p + S) : ((p & S) ? L + p - S : p);
}

template <int L, int S, bool HI, class V, int... P>
inline V shuffle(V a, V b, std::integer_sequence<int, P...>) {
  return __builtin_shufflevector(a, b, butterfly(L, S, HI, P)...);
}

/**
 * Transposes the L x L block held in r[0..L) (row i in r[i]) in place: log2(L) butterfly
 * stages, each swapping the off-diagonal S x S blocks of every 2S x 2S block.
 */
template <class T, int S = Vec<T>::L / 2>
inline void transpose(typename Vec<T>::V* r) {
  constexpr int L = Vec<T>::L;
  if constexpr (S >= 1) {
    using Seq = std::make_integer_sequence<int, L>;
#pragma GCC unroll 16
    for (int i = 0; i < L; i++) {
      if (i & S) continue;
      const auto lo = shuffle<L, S, false>(r[i], r[i + S], Seq{});
      const auto hi = shuffle<L, S, true>(r[i], r[i + S], Seq{});
      r[i] = lo;
      r[i + S] = hi;
    }
    transpose<T, S / 2>(r);
  }
}

/** Copies N elements (N known at compile time, so the copy is a few vector moves). */
template <int N, class T>
inline void copyN(T* __restrict dst, const T* __restrict src) {
  __builtin_memcpy(dst, src, sizeof(T) * N);
}

}  // namespace
}  // namespace CR_ISA
}  // namespace cr
