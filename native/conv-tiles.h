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

/**
 * The weight gradient's Winograd products (conv-winograd.cc) for one ξ, a few output channels and
 * a few input channels, over blocks of transformed gradient and input rows.
 */
struct WinogradGradJob {
  const float* g;           // the transformed gradient's ξ row of the first output channel in the first block
  int64_t gBlock, gO;       // strides between blocks and output channels
  const float* x;           // the transformed input's ξ row of the first input channel in the first block
  int64_t xBlock, xC;       // strides between blocks and input channels
  int64_t blocks, n;        // blocks summed over, and columns per row (the output's width)
  int oValid, cValid;       // channels each way (≤ the ISA's weight-gradient tile)
  double* out;              // the sums for (first output channel, first input channel, ξ, tap 0), added to
  int64_t outO, outC;       // strides between output channels and input channels; the three taps are adjacent
};

/** One instruction set's kernels: output rows [h0, h1) of a ConvRows; a ConvGradRows added into dw. */
struct ConvIsa {
  int ob;   // output channels per register tile (the weight packing's block)
  int wob;  // output channels per weight-gradient tile
  int wob3x3;  // the same for 3 x 3 kernels, whose tile holds all nine taps
  int wgo, wgc;  // output and input channels per Winograd weight-gradient tile
  void (*f32)(const ConvRows<float>& r, int64_t h0, int64_t h1);
  void (*f64)(const ConvRows<double>& r, int64_t h0, int64_t h1);
  void (*grad32)(const ConvGradRows<float>& r);
  void (*grad64)(const ConvGradRows<double>& r);
  // Winograd F(4, 3) along the height: the input and output transforms (conv-kernels.h)
  void (*winogradInput)(const float* const* d, int64_t n, float* v, int64_t plane);
  bool (*winogradOutput)(const float* m, int64_t mp, float bias, float* const* y, int64_t n);
  double (*winogradGradIn)(const float* g, int64_t stride, int rows, int64_t n, float* out, int64_t plane);
  void (*winogradGrad)(const WinogradGradJob& r);
};

}  // namespace cr
