// The calls of batch norm and layer norm (norm.cc): views come through the
// descriptor, each optional one (weight, bias, an output not wanted) after a 0/1 flag, scalars
// (eps, training) in the descriptor too. Every view is checked against x's shape and dtype
// before a kernel runs; outputs are written whole, so their deferred zeros are skipped.

#include <string>

#include "calls.h"
#include "norm.h"

namespace cr {
namespace {

/** Checks that float views share x's dtype and have the dims and sizes named in `dims`. */
void requireFloat(Args& a, const char* op, const View& x, const View& v, int nd, const int64_t* dims) {
  if (!a.ok()) return;
  if (x.dtype != kF32 && x.dtype != kF64) return a.error(std::string(op) + ": x must be float32 or float64", true);
  bool ok = v.nd == nd;
  for (int k = 0; ok && k < nd; k++) ok = dims[k] < 0 || v.shape[k] == dims[k];
  if (!ok) a.error(std::string(op) + ": an operand's shape does not fit x's");
}

/** stats (float64) or per-channel operands of any float dtype: only the shape is checked. */
void requireStats(Args& a, const char* op, const View& v, int64_t rows, int64_t n) {
  if (a.ok() && (v.nd != 2 || v.shape[0] != rows || v.shape[1] != n || (v.dtype != kF32 && v.dtype != kF64)))
    a.error(std::string(op) + ": statistics must be float [" + std::to_string(rows) + ", " + std::to_string(n) + "]");
}

/** Batch norm's operands after x and the statistics: weight and bias (each after a flag), the relu flag, out. */
struct BatchNormOut {
  View w, b, out;
  bool hasW = false, hasB = false, relu = false;
};

/** Reads and checks a BatchNormOut for x as `op`'s arguments 2 (weight), 3 (bias) and 4 (out). */
BatchNormOut batchNormOut(Args& a, const char* op, const View& x) {
  BatchNormOut o;
  o.hasW = optionalView(a, 2, o.w, true);
  o.hasB = optionalView(a, 3, o.b, true);
  o.relu = a.ok() && next(a) != 0;
  o.out = viewArg(a, 4, false);
  const int64_t c[] = {a.ok() ? x.shape[1] : 0};
  requireFloat(a, op, x, o.out, 3, x.shape);
  if (a.ok() && o.out.dtype != x.dtype) a.error(std::string(op) + ": out must have x's dtype", true);
  if (o.hasW) requireFloat(a, op, x, o.w, 1, c);
  if (o.hasB) requireFloat(a, op, x, o.b, 1, c);
  return o;
}

}  // namespace

void BatchNormStats(Args& a) {
  const View x = viewArg(a, 0);
  const double eps = next(a);
  const View stats = viewArg(a, 1, false);
  requireFloat(a, "batchNormStats", x, x, 3, x.shape);
  if (a.ok()) requireStats(a, "batchNormStats", stats, 3, x.shape[1]);
  if (a.ok() && stats.dtype != kF64) a.error("batchNormStats: statistics must be float64", true);
  if (a.ok()) settleOutput(a, 1, stats);
  if (a.ok() && x.numel() > 0) batchNormStats(x, eps, stats);
}

void BatchNormForward(Args& a) {
  const View x = viewArg(a, 0);
  const View stats = viewArg(a, 1);
  const BatchNormOut o = batchNormOut(a, "batchNormForward", x);
  if (a.ok()) requireStats(a, "batchNormForward", stats, 2, x.shape[1]);
  if (a.ok()) settleOutput(a, 4, o.out);
  if (a.ok() && x.numel() > 0)
    batchNormForward(x, stats, o.hasW ? &o.w : nullptr, o.hasB ? &o.b : nullptr, o.relu, o.out);
}

void BatchNormTrain(Args& a) {
  const View x = viewArg(a, 0);
  const double eps = next(a);
  const View stats = viewArg(a, 1, false);
  const BatchNormOut o = batchNormOut(a, "batchNormTrain", x);
  if (a.ok()) requireStats(a, "batchNormTrain", stats, 3, x.shape[1]);
  if (a.ok() && stats.dtype != kF64) a.error("batchNormTrain: statistics must be float64", true);
  if (a.ok()) settleOutput(a, 1, stats);
  if (a.ok()) settleOutput(a, 4, o.out);
  if (a.ok() && x.numel() > 0)
    batchNormTrain(x, eps, stats, o.hasW ? &o.w : nullptr, o.hasB ? &o.b : nullptr, o.relu, o.out);
}

void LayerNormForward(Args& a) {
  const double eps = next(a);
  const View x = viewArg(a, 0);
  View w, b;
  const bool hasW = optionalView(a, 1, w, true), hasB = optionalView(a, 2, b, true);
  const View out = viewArg(a, 3, false);
  const View stats = viewArg(a, 4, false);
  const int64_t d[] = {a.ok() && x.nd == 2 ? x.shape[1] : 0};
  requireFloat(a, "layerNormForward", x, out, 2, x.shape);
  if (a.ok() && out.dtype != x.dtype) a.error("layerNormForward: out must have x's dtype", true);
  requireStats(a, "layerNormForward", stats, 2, x.shape[0]);
  if (a.ok() && stats.dtype != kF64) a.error("layerNormForward: statistics must be float64", true);
  if (hasW) requireFloat(a, "layerNormForward", x, w, 1, d);
  if (hasB) requireFloat(a, "layerNormForward", x, b, 1, d);
  if (a.ok()) settleOutput(a, 3, out);
  if (a.ok()) settleOutput(a, 4, stats);
  if (a.ok() && x.numel() > 0)
    layerNormForward(x, eps, hasW ? &w : nullptr, hasB ? &b : nullptr, out, stats);
}

namespace {

/**
 * batchNormBackward (x [N, C, S], then the training flag after weight, and after dx and dwb the
 * relu flag and the bias after its own) and layerNormBackward (x [R, D]): g, x, stats, then
 * weight, dx and dwb each after a flag; weight, bias and dwb have x's dim 1.
 */
void NormBackward(Args& a, bool batch) {
  const std::string op = batch ? "batchNormBackward" : "layerNormBackward";
  const int nd = batch ? 3 : 2;
  const View g = viewArg(a, 0);
  const View x = viewArg(a, 1);
  const View stats = viewArg(a, 2);
  View w, dx, dwb;
  const bool hasW = optionalView(a, 3, w, true);
  const bool training = batch && a.ok() && next(a) != 0;
  const bool hasDx = optionalView(a, 4, dx, false), hasDwb = optionalView(a, 5, dwb, false);
  const bool relu = batch && a.ok() && next(a) != 0;
  View bias;
  const bool hasBias = batch && optionalView(a, 6, bias, true);
  if (a.ok() && x.nd != nd) a.error(op + ": x has the wrong number of dims");
  const int64_t cols[] = {a.ok() ? x.shape[1] : 0}, two[] = {2, cols[0]};
  requireFloat(a, op.c_str(), x, g, nd, x.shape);
  if (a.ok() && g.dtype != x.dtype) a.error(op + ": g must have x's dtype", true);
  requireStats(a, op.c_str(), stats, 2, x.shape[batch ? 1 : 0]);
  if (hasW) requireFloat(a, op.c_str(), x, w, 1, cols);
  if (hasDx) requireFloat(a, op.c_str(), x, dx, nd, x.shape);
  if (hasDwb) requireFloat(a, op.c_str(), x, dwb, 2, two);
  if (hasBias) requireFloat(a, op.c_str(), x, bias, 1, cols);
  if (a.ok() && ((hasDx && dx.dtype != x.dtype) || (hasDwb && dwb.dtype != x.dtype)))
    a.error(op + ": gradients must have x's dtype", true);
  if (a.ok() && hasDx) settleOutput(a, 4, dx);
  if (a.ok() && hasDwb) settleOutput(a, 5, dwb);
  if (!a.ok() || x.numel() == 0) return;
  const View* const outs[] = {hasW ? &w : nullptr, hasDx ? &dx : nullptr, hasDwb ? &dwb : nullptr};
  if (batch)
    batchNormBackward(g, x, stats, outs[0], training, relu, hasBias ? &bias : nullptr, outs[1], outs[2]);
  else
    layerNormBackward(g, x, stats, outs[0], outs[1], outs[2]);
}

}  // namespace

void BatchNormBackward(Args& a) { NormBackward(a, true); }

void LayerNormBackward(Args& a) { NormBackward(a, false); }

}  // namespace cr
