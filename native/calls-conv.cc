// The addon's direct convolution: convDirect(x, w, bias | null, out), with x's, w's (and the
// bias's) views in the descriptor, then the padding (top, bottom, left, right), the dilation
// (dh, dw) and the groups; and its weight gradient convWeightGrad(x, g, out, bias | null), with
// x's and g's views, then the kernel size (KH, KW), the padding, the dilation, the groups and the
// bias gradient's view after a 0/1 flag.

#include <string>

#include "calls.h"
#include "conv.h"

namespace cr {

void ConvDirect(Args& a) {
  const View x = viewArg(a, 0);
  const View w = viewArg(a, 1);
  const View bias = isNull(a, 2) ? View{} : viewArg(a, 2);
  int64_t pad[4], dil[2];
  for (int64_t& p : pad) p = static_cast<int64_t>(next(a));
  for (int64_t& d : dil) d = static_cast<int64_t>(next(a));
  const int64_t groups = static_cast<int64_t>(next(a));
  if (a.ok() && (x.nd != 4 || w.nd != 4 || (bias.nd != 0 && bias.nd != 1)))
    a.error("convDirect: expected x [N, C, H, W], w [O, C/groups, KH, KW] and a bias [O]");
  if (a.ok() && (x.dtype != w.dtype || (bias.nd == 1 && bias.dtype != x.dtype) || (x.dtype != kF32 && x.dtype != kF64)))
    a.error("convDirect: x, w and bias must share a float dtype", true);
  int64_t ho = 0, wo = 0;
  if (a.ok()) {
    ho = x.shape[2] + pad[0] + pad[1] - dil[0] * (w.shape[2] - 1);
    wo = x.shape[3] + pad[2] + pad[3] - dil[1] * (w.shape[3] - 1);
    if (groups < 1 || x.shape[1] != w.shape[1] * groups || w.shape[0] % groups != 0 ||
        (bias.nd == 1 && bias.shape[0] != w.shape[0]) || dil[0] < 1 || dil[1] < 1 || ho < 0 || wo < 0)
      a.error("convDirect: shapes " + std::to_string(x.shape[1]) + " input channels, " + std::to_string(w.shape[0]) +
              " outputs and " + std::to_string(groups) + " groups do not fit");
  }
  char* out = outArg(a, 3, x.dtype, a.ok() ? x.shape[0] * w.shape[0] * ho * wo : 0);
  if (ready(a) && x.shape[0] * w.shape[0] * ho * wo > 0) convDirect(x, w, bias, pad, dil, groups, out);
}

void ConvWeightGrad(Args& a) {
  const View x = viewArg(a, 0);
  const View g = viewArg(a, 1);
  int64_t kernel[2], pad[4], dil[2];
  for (int64_t& k : kernel) k = static_cast<int64_t>(next(a));
  for (int64_t& p : pad) p = static_cast<int64_t>(next(a));
  for (int64_t& d : dil) d = static_cast<int64_t>(next(a));
  const int64_t groups = static_cast<int64_t>(next(a));
  if (a.ok() && (x.nd != 4 || g.nd != 4 || x.shape[0] != g.shape[0]))
    a.error("convWeightGrad: expected x [N, C, H, W] and a gradient [N, O, Ho, Wo]");
  if (a.ok() && (x.dtype != g.dtype || (x.dtype != kF32 && x.dtype != kF64)))
    a.error("convWeightGrad: x and the gradient must share a float dtype", true);
  if (a.ok()) {
    int64_t expect = 1;
    for (int d = 3; d >= 0; d--) {
      if (g.shape[d] != 1 && g.strides[d] != expect) a.error("convWeightGrad: the gradient must be contiguous");
      expect *= g.shape[d];
    }
    if (groups < 1 || x.shape[1] % groups != 0 || g.shape[1] % groups != 0 || dil[0] < 1 || dil[1] < 1 ||
        g.shape[2] != x.shape[2] + pad[0] + pad[1] - dil[0] * (kernel[0] - 1) ||
        g.shape[3] != x.shape[3] + pad[2] + pad[3] - dil[1] * (kernel[1] - 1))
      a.error("convWeightGrad: the gradient's shape does not fit x, the kernel, padding and dilation");
  }
  View bias;
  const bool hasBias = optionalView(a, 3, bias, false);
  if (a.ok() && hasBias && (bias.nd != 1 || bias.shape[0] != g.shape[1] || bias.dtype != x.dtype))
    a.error("convWeightGrad: the bias's gradient must be [O] in x's dtype");
  if (a.ok() && hasBias) settleOutput(a, 3, bias);
  const int64_t n = a.ok() ? g.shape[1] * (x.shape[1] / groups) * kernel[0] * kernel[1] : 0;
  char* out = outArg(a, 2, x.dtype, n);
  if (ready(a) && n > 0) convWeightGrad(x, g, kernel, pad, dil, groups, out, hasBias ? &bias : nullptr);
}

}  // namespace cr
