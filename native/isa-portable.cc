// The portable kernels: 128-bit vector extensions, which the compiler lowers to SSE2 on x86-64,
// NEON on ARM64 and plain scalar code elsewhere. Every CPU can run this path.

#include <utility>

#include "common.h"
#include "isa.h"

#define CR_ISA portable
#define CR_ISA_NAME "portable"
#define CR_VBYTES 16
#define CR_SMR 4
#define CR_SNV 2
#define CR_SKC 256
#define CR_SMC 128
#define CR_SNC 4096
#define CR_DMR 4
#define CR_DNV 2
#define CR_DKC 256
#define CR_DMC 64
#define CR_DNC 2048
#include "isa-kernels.h"
