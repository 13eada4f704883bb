// The portable kernels: 128-bit vector extensions, which the compiler lowers to SSE2 on x86-64,
// NEON on ARM64, SIMD128 on WebAssembly and plain scalar code elsewhere. Every CPU can run this
// path; in the WebAssembly module it is the only one, named for the instructions it runs on.

#include <utility>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#include "common.h"
#include "isa.h"

#define CR_ISA portable
#if defined(__wasm_relaxed_simd__)
#define CR_ISA_NAME "wasm-relaxed-simd"
#elif defined(__wasm_simd128__)
#define CR_ISA_NAME "wasm-simd128"
#else
#define CR_ISA_NAME "portable"
#endif
#define CR_VECTOR_BYTES 16
#define CR_F32_TILE_ROWS 4
#define CR_F32_TILE_VECTORS 2
#define CR_F32_BLOCK_K 256
#define CR_F32_BLOCK_M 128
#define CR_F32_BLOCK_N 4096
#define CR_F64_TILE_ROWS 4
#define CR_F64_TILE_VECTORS 2
#define CR_F64_BLOCK_K 256
#define CR_F64_BLOCK_M 64
#define CR_F64_BLOCK_N 2048
#define CR_CONV_OB 6
#define CR_CONV_WOB 2
#define CR_WINOGRAD_GRAD_O 2
#define CR_WINOGRAD_GRAD_C 2
// sixteen vector registers (SSE2, NEON's usable share, V8's SIMD128): one channel's nine taps
#define CR_CONV_GRAD_OB 1
#include "isa-kernels.h"
