// The AVX-512 kernels: 512-bit vectors, a 14 x 32 float (14 x 16 double) micro-tile that keeps
// 28 accumulators in zmm registers. Built only for x86-64; run only where the CPU has AVX-512F.

#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "common.h"
#include "isa.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CR_ISA avx512
#define CR_ISA_NAME "avx512"
#define CR_VECTOR_BYTES 64
#define CR_F32_TILE_ROWS 14
#define CR_F32_TILE_VECTORS 2
#define CR_F32_BLOCK_K 512
#define CR_F32_BLOCK_M 336
#define CR_F32_BLOCK_N 4096
#define CR_F64_TILE_ROWS 14
#define CR_F64_TILE_VECTORS 2
#define CR_F64_BLOCK_K 256
#define CR_F64_BLOCK_M 168
#define CR_F64_BLOCK_N 2048
#define CR_CONV_OB 8
// 4 x 2 channels x 3 taps: 24 sums, and 4 + 1 registers for the loads; 4 divides the usual widths
#define CR_WINOGRAD_GRAD_O 4
#define CR_WINOGRAD_GRAD_C 2
#define CR_CONV_GRAD_OB 3
#define CR_CONV_WOB 8
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx2,fma,prefer-vector-width=512")
#endif
#include "isa-kernels.h"
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#else
namespace cr::avx512 {
const IsaTable& table() { return portable::table(); }
}  // namespace cr::avx512
#endif
