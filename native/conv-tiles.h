// The direct convolution's register-tile jobs, and the per-instruction-set kernels that run them
// (compiled in conv-kernels.h beside the other kernels of isa-kernels.h, listed in IsaTable).
#pragma once

#include <cstdint>

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
  int wob3x3;  // the same for 3 x 3 kernels, whose tile holds all nine taps
  void (*f32)(const ConvRows<float>& r, int64_t h0, int64_t h1);
  void (*f64)(const ConvRows<double>& r, int64_t h0, int64_t h1);
  void (*grad32)(const ConvGradRows<float>& r);
  void (*grad64)(const ConvGradRows<double>& r);
};

}  // namespace cr
