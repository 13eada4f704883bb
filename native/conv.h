// Direct 2-D convolution with stride 1: no im2col matrix. The input is copied once, zero-padded,
// and each output row is a register tile of OB output channels by NV vectors of output columns,
// built by broadcasting each weight over a contiguous run of an input row. The input gradient of a
// stride-1 convolution is the same kernel over the padded gradient with flipped, transposed weights.
#pragma once

#include <cstdint>

#include "common.h"

namespace cr {

/** One image's work for the row kernel; every pointer is already at its group and channel block. */
template <class T>
struct ConvRows {
  const T* x;         // the padded input image of this group: [C][hp][wp], with slack past its end
  int64_t plane, wp;  // hp * wp, and the padded row length
  const T* w;         // packed weights of this channel block: [C][kh][kw][OB]
  const T* bias;      // OB values to start from, or nullptr for zeros
  int64_t c, kh, kw, dh, dw;
  T* out;             // the block's first output channel: [oValid][ho][wo]
  int64_t outPlane, wo;
  int oValid;         // real output channels in this block (the packed weights are zero above)
};

/** Weight-gradient work over some images for one block of output channels and one input channel. */
template <class T>
struct ConvGradRows {
  const T* g;         // the gradient at the block's first output channel: [oValid][ho][wo]
  int64_t gPlane;     // ho * wo
  const T* x;         // the padded input channel: rows wp apart
  int64_t wp, ho, wo, kh, kw, dh, dw;
  int64_t images, gImage, xImage;  // images summed over, and the strides between them in g and x
  T* out;             // ∂L/∂w at (first output channel, this channel, 0, 0)
  int64_t outStride;  // between output channels in ∂L/∂w
  int oValid;         // output channels in the block (≤ the ISA's wob)
};

/** One instruction set's kernels: output rows [h0, h1) of a ConvRows; a ConvGradRows added into dw. */
struct ConvIsa {
  int ob;   // output channels per register tile (the weight packing's block)
  int wob;  // output channels per weight-gradient tile
  void (*f32)(const ConvRows<float>& r, int64_t h0, int64_t h1);
  void (*f64)(const ConvRows<double>& r, int64_t h0, int64_t h1);
  void (*grad32)(const ConvGradRows<float>& r);
  void (*grad64)(const ConvGradRows<double>& r);
};

namespace portable {
const ConvIsa& convIsa();
}
namespace avx2 {
const ConvIsa& convIsa();
}
namespace avx512 {
const ConvIsa& convIsa();
}

/**
 * out [N, O, Ho, Wo] (contiguous, x's dtype) = x [N, C, H, W] ⋆ w [O, C/groups, KH, KW] + bias [O]
 * (bias.nd == 0: none), stride 1, zero padding pad = {top, bottom, left, right} (negative crops),
 * dilation {dh, dw}. Any strides on x, w and bias.
 */
void convDirect(const View& x, const View& w, const View& bias, const int64_t* pad, const int64_t* dil, int64_t groups,
                char* out);

/**
 * dw [O, C/groups, KH, KW] (contiguous, overwritten) = ∂L/∂w of that convolution for the gradient
 * g [N, O, Ho, Wo] of its output: Σ over images and output positions of g times the input tap.
 */
void convWeightGrad(const View& x, const View& g, const int64_t* kernel, const int64_t* pad, const int64_t* dil,
                    int64_t groups, char* dw);

}  // namespace cr
