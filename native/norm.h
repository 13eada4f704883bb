// Batch norm and layer norm kernels (norm.cc), run by their kernel calls (calls-norm.cc).
// Views are already checked: float32 or float64, shapes that fit x's; per-channel and per-row
// values (statistics, weight, bias) may be of either float dtype and any strides.
#pragma once

#include "common.h"

namespace cr {

/** stats [3, C] (float64) = mean, biased variance, 1/√(variance + eps) of each channel of x [N, C, S]. */
void batchNormStats(const View& x, double eps, const View& stats);

/**
 * out [N, C, S] = (x − mean)·invstd·w + b per channel, or with `relu` its ReLU; stats [2, C] =
 * mean, invstd; w, b may be null.
 */
void batchNormForward(const View& x, const View& stats, const View* w, const View* b, bool relu, const View& out);

/** batchNormStats into stats [3, C], then batchNormForward with its mean and invstd, a channel at a time. */
void batchNormTrain(const View& x, double eps, const View& stats, const View* w, const View* b, bool relu,
                    const View& out);

/**
 * dwb [2, C] = Σ g·x̂, Σ g per channel; dx = w·invstd·(g − mean g − x̂·mean g·x̂) with `training`,
 * else w·invstd·g. With `relu` (a batch norm fused with a ReLU, with this bias), g counts only
 * where the forward's output was > 0, which is summed again from x as the forward summed it.
 * w, bias, dx and dwb may be null.
 */
void batchNormBackward(const View& g, const View& x, const View& stats, const View* w, bool training, bool relu,
                       const View* bias, const View* dx, const View* dwb);

/** out [R, D] = (x − mean)·rstd·w + b per row, stats [2, R] (float64) = mean, rstd; w, b may be null. */
void layerNormForward(const View& x, double eps, const View* w, const View* b, const View& out, const View& stats);

/** dx = rstd·(gw − mean gw − x̂·mean gw·x̂) per row (gw = g·w); dwb [2, D] = Σ g·x̂, Σ g over rows. */
void layerNormBackward(const View& g, const View& x, const View& stats, const View* w, const View* dx,
                       const View* dwb);

}  // namespace cr
