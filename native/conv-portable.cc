// The direct convolution's portable row kernel: 128-bit vector extensions (SSE2, NEON or scalar
// code), 6 output channels by two vectors.

#include <utility>

#include "conv.h"

#define CR_ISA portable
#define CR_VECTOR_BYTES 16
#define CR_CONV_OB 6
#define CR_CONV_WOB 2
#include "conv-kernels.h"
