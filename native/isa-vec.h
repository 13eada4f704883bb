// Vector helpers of the per-ISA kernels (included by isa-kernels.h, after the target switch):
// the vector types for this ISA's width, unaligned loads and stores, and the in-register L x L
// transpose that packing and transposing copies use.

namespace cr {
namespace CR_ISA {
namespace {

constexpr int kVectorBytes = CR_VECTOR_BYTES;
typedef float vf __attribute__((vector_size(kVectorBytes)));
typedef double vd __attribute__((vector_size(kVectorBytes)));
typedef float vfh __attribute__((vector_size(kVectorBytes / 2)));

template <class T>
struct Vec;
template <>
struct Vec<float> {
  using V = vf;
  static constexpr int L = kVectorBytes / 4;
};
template <>
struct Vec<double> {
  using V = vd;
  static constexpr int L = kVectorBytes / 8;
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

/** x in every lane: x − (+0) is x exactly (−0 and NaN included), so this is one broadcast. */
template <class V, class T>
inline V splat(T x) {
  return x - V{};
}

/**
 * acc + a·b, the inner step of every product. Compilers contract it into one fused multiply-add
 * where the ISA has one (AVX2, AVX-512, NEON); WebAssembly's only FMA is relaxed SIMD's, which
 * the compiler never emits unasked (it may round once or twice, as the engine's CPU does).
 */
template <class V>
inline V madd(V acc, V a, V b) {
#if defined(__wasm_relaxed_simd__)
  if constexpr (sizeof(a[0]) == 4)
    return __builtin_wasm_relaxed_madd_f32x4(a, b, acc);
  else
    return __builtin_wasm_relaxed_madd_f64x2(a, b, acc);
#else
  return acc + a * b;
#endif
}

/** The first n (< L) elements at p in the low lanes, zeros above; nothing past them is read. */
template <class V, class T>
inline V loadFirst(const T* p, int n) {
#if defined(__x86_64__) && CR_VECTOR_BYTES == 64
  if constexpr (sizeof(T) == 4) return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p);
  else return _mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << n) - 1), p);
#elif defined(__x86_64__) && CR_VECTOR_BYTES == 32
  if constexpr (sizeof(T) == 4)
    return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
  else
    return _mm256_maskload_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3)));
#elif defined(__wasm_simd128__)
  // a lane loop costs a lane insert each; these are one or two loads of the exact bytes
  v128_t v;
  if constexpr (sizeof(T) == 8) {
    v = wasm_v128_load64_zero(p);
  } else if (n == 1) {
    v = wasm_v128_load32_zero(p);
  } else {
    v = wasm_v128_load64_zero(p);
    if (n == 3) v = wasm_v128_load32_lane(p + 2, v, 2);
  }
  return __builtin_bit_cast(V, v);
#else
  V v{};
  for (int i = 0; i < n; i++) v[i] = p[i];
  return v;
#endif
}

/** Stores the low n (< L) lanes of v at p; nothing past them is written. */
template <class T, class V>
inline void storeFirst(T* p, V v, int n) {
#if defined(__x86_64__) && CR_VECTOR_BYTES == 64
  if constexpr (sizeof(T) == 4) _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), v);
  else _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << n) - 1), v);
#elif defined(__x86_64__) && CR_VECTOR_BYTES == 32
  if constexpr (sizeof(T) == 4)
    _mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)), v);
  else
    _mm256_maskstore_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3)), v);
#elif defined(__wasm_simd128__)
  const v128_t w = __builtin_bit_cast(v128_t, v);
  if constexpr (sizeof(T) == 8) {
    wasm_v128_store64_lane(p, w, 0);
  } else if (n == 1) {
    wasm_v128_store32_lane(p, w, 0);
  } else {
    wasm_v128_store64_lane(p, w, 0);
    if (n == 3) wasm_v128_store32_lane(p + 2, w, 2);
  }
#else
  for (int i = 0; i < n; i++) p[i] = v[i];
#endif
}

/** Whether any lane of a comparison result (all-ones or zero lanes) is set. */
template <class I>
inline bool anyLane(I v) {
#if defined(__x86_64__) && CR_VECTOR_BYTES == 64
  const __m512i bits = reinterpret_cast<__m512i>(v);
  if constexpr (sizeof(v[0]) == 4) return _mm512_test_epi32_mask(bits, bits) != 0;
  else return _mm512_test_epi64_mask(bits, bits) != 0;
#elif defined(__x86_64__) && CR_VECTOR_BYTES == 32
  return !_mm256_testz_si256(reinterpret_cast<__m256i>(v), reinterpret_cast<__m256i>(v));
#else
  for (int l = 0; l < static_cast<int>(sizeof v / sizeof v[0]); l++)
    if (v[l]) return true;
  return false;
#endif
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

template <int H, class V, int... P>
inline V halfDown(V v, std::integer_sequence<int, P...>) {
  return __builtin_shufflevector(v, v, ((P + H) & (static_cast<int>(sizeof...(P)) - 1))...);
}

/**
 * The sum of v's lanes as a halving tree: log2(L) dependent adds, where a lane-by-lane sum is a
 * chain of L - 1 (the dot kernels reduce one accumulator per output element).
 */
template <class T, int W = Vec<T>::L>
inline T hsum(typename Vec<T>::V v) {
  if constexpr (W == 1) {
    return v[0];
  } else {
    return hsum<T, W / 2>(v + halfDown<W / 2>(v, std::make_integer_sequence<int, Vec<T>::L>{}));
  }
}

/**
 * Pins v to a register at this point. A value that several FMAs use is otherwise read from memory
 * once per use (folded into each FMA as its memory operand): twice the loads of the dot kernels.
 */
template <class V>
inline void inRegister(V& v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  asm("" : "+v"(v));
#elif defined(__GNUC__) && defined(__aarch64__)
  asm("" : "+w"(v));
#else
  (void)v;
#endif
}

/** Adding 1.5·2^23 to a float rounds it to an integer held in the low mantissa bits. */
constexpr float kExpMagic = 12582912.0f;

/**
 * The reduction shared by e^x and e^x − 1: with n = round(x·log2 e) (held in t's low mantissa
 * bits, t = x·log2 e + kExpMagic) and r = x − n·ln 2 in two parts, e^r − 1 as r + r²·P(r), P of
 * degree 5 (Cephes' expf). x must already be clamped to where n fits.
 */
inline vf expReduced(vf x, vf& t) {
  const vf magic = vf{} + kExpMagic;
  t = x * 1.44269504088896341f + magic;
  const vf n = t - magic;
  vf r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  vf p = vf{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  return p * (r * r) + r;
}

/**
 * e^x in every lane, within 2 ulp (Cephes' expf): n = round(x·log2 e), a degree-7 polynomial
 * in r = x − n·ln 2, times 2^n built in the exponent bits, in two halves so that neither factor
 * leaves the normal range: the product then overflows to inf, and gives denormals or 0 below,
 * as the scalar exp does. NaN stays NaN.
 */
inline vf expOf(vf x) {
  typedef int32_t vi __attribute__((vector_size(kVectorBytes)));
  const vf hi = vf{} + 89.0f, lo = vf{} - 104.0f;
  vf xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;
  vf t;
  const vf magic = vf{} + kExpMagic;
  const vf p = expReduced(xc, t) + 1.0f;
  vi ni, magicBits;
  __builtin_memcpy(&ni, &t, sizeof ni);
  __builtin_memcpy(&magicBits, &magic, sizeof ni);
  ni -= magicBits;
  const vi n1 = ni >> 1;
  const vi b1 = (n1 + 127) << 23, b2 = (ni - n1 + 127) << 23;
  vf s1, s2;
  __builtin_memcpy(&s1, &b1, sizeof s1);
  __builtin_memcpy(&s2, &b2, sizeof s2);
  return p * s1 * s2;
}

/** Copies N elements (N known at compile time, so the copy is a few vector moves). */
template <int N, class T>
inline void copyN(T* __restrict dst, const T* __restrict src) {
  __builtin_memcpy(dst, src, sizeof(T) * N);
}

}  // namespace
}  // namespace CR_ISA
}  // namespace cr
