// The direct convolution's AVX-512 row kernel: 8 output channels by two 16-float vectors, 16
// accumulators in zmm registers. Built only for x86-64; run only where the CPU has AVX-512F.

#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "conv.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CR_ISA avx512
#define CR_VECTOR_BYTES 64
#define CR_CONV_OB 8
#define CR_CONV_WOB 8
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx2,fma,prefer-vector-width=512")
#endif
#include "conv-kernels.h"
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#else
namespace cr::avx512 {
const ConvIsa& convIsa() { return portable::convIsa(); }
}  // namespace cr::avx512
#endif
