// The AVX2 + FMA kernels: 256-bit vectors and a 6 x 16 float (6 x 8 double) micro-tile with 12
// accumulators in ymm registers. Built only for x86-64; run only where the CPU has AVX2 and FMA.

#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "common.h"
#include "isa.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CR_ISA avx2
#define CR_ISA_NAME "avx2"
#define CR_VECTOR_BYTES 32
#define CR_F32_TILE_ROWS 6
#define CR_F32_TILE_VECTORS 2
#define CR_F32_BLOCK_K 256
#define CR_F32_BLOCK_M 144
#define CR_F32_BLOCK_N 4096
#define CR_F64_TILE_ROWS 6
#define CR_F64_TILE_VECTORS 2
#define CR_F64_BLOCK_K 256
#define CR_F64_BLOCK_M 72
#define CR_F64_BLOCK_N 2048
#define CR_CONV_OB 6
#define CR_WINOGRAD_GRAD_O 2
#define CR_WINOGRAD_GRAD_C 2
#define CR_CONV_GRAD_OB 2
#define CR_CONV_WOB 2
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#include "isa-kernels.h"
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#else
namespace cr::avx2 {
const IsaTable& table() { return portable::table(); }
}  // namespace cr::avx2
#endif
