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
#define CR_VBYTES 32
#define CR_SMR 6
#define CR_SNV 2
#define CR_SKC 256
#define CR_SMC 144
#define CR_SNC 4096
#define CR_DMR 6
#define CR_DNV 2
#define CR_DKC 256
#define CR_DMC 72
#define CR_DNC 2048
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
