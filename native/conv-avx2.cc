// The direct convolution's AVX2 row kernel: 6 output channels by two 8-float vectors, 12
// accumulators of the 16 ymm registers. Built only for x86-64; run only where the CPU has AVX2.

#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "conv.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CR_ISA avx2
#define CR_VECTOR_BYTES 32
#define CR_CONV_OB 6
#define CR_CONV_WOB 2
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#include "conv-kernels.h"
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#else
namespace cr::avx2 {
const ConvIsa& convIsa() { return portable::convIsa(); }
}  // namespace cr::avx2
#endif
