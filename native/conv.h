// Direct 2-D convolution with stride 1: no im2col matrix. The input is copied once, zero-padded,
// and each output row is a register tile of OB output channels by NV vectors of output columns,
// built by broadcasting each weight over a contiguous run of an input row. The input gradient of a
// stride-1 convolution is the same kernel over the padded gradient with flipped, transposed weights.
#pragma once

#include <cstdint>

#include "common.h"
#include "conv-tiles.h"

namespace cr {

/**
 * out [N, O, Ho, Wo] (contiguous, x's dtype) = x [N, C, H, W] ⋆ w [O, C/groups, KH, KW] + bias [O]
 * (bias.nd == 0: none), stride 1, zero padding pad = {top, bottom, left, right} (negative crops),
 * dilation {dh, dw}. Any strides on x, w and bias.
 */
void convDirect(const View& x, const View& w, const View& bias, const int64_t* pad, const int64_t* dil, int64_t groups,
                char* out);

/**
 * dw [O, C/groups, KH, KW] (contiguous, overwritten) = ∂L/∂w of that convolution for the gradient
 * g [N, O, Ho, Wo] (contiguous) of its output: Σ over images and output positions of g times the
 * input tap; and where `bias` is given, bias [O] = Σ g over images and output positions.
 */
void convWeightGrad(const View& x, const View& g, const int64_t* kernel, const int64_t* pad, const int64_t* dil,
                    int64_t groups, char* dw, const View* bias);

/**
 * Whether convWinograd (and convWinogradWeightGrad) compute x's convolution to o channels with
 * this kernel size: float32, one group, 3 x 3, no dilation, adjacent columns, enough rows and channels.
 */
bool winogradFits(const View& x, int64_t o, const int64_t* kernel, const int64_t* pad, const int64_t* dil,
                  int64_t groups);

/** convDirect's result through Winograd's F(4, 3) along the height (see conv-winograd.cc), where winogradFits. */
void convWinograd(const View& x, const View& w, const View& bias, const int64_t* pad, float* out);

/**
 * convWeightGrad's result through the same transforms, where winogradFits (dw contiguous
 * [O, C, 3, 3]), with Σ g per output channel into bias [O] (double) where it is not null.
 * Returns false, with dw not all finite, where the transformed sums were not: the caller sums
 * directly instead, as NaN may stand where the direct sum keeps an infinity.
 */
bool convWinogradWeightGrad(const View& x, const View& g, const int64_t* pad, float* dw, double* bias);

}  // namespace cr
