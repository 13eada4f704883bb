// The kernel entry points the Node-API layer calls, one per method of the TypeScript Kernels
// interface that does arithmetic. Views are already bounds-checked; outputs are contiguous.
#pragma once

#include <cstdint>

#include "common.h"

namespace cr {

/** dst = src element by element (same shape), converting dtype; bool dst takes truthiness. */
void copyView(const View& src, const View& dst);

/** out (contiguous, x's shape, dtype outDt) = op(x). */
void unary(int op, const View& x, char* out, int outDt);

/** out = op(a, b); a and b already broadcast to one shape. */
void binary(int op, const View& a, const View& b, char* out, int outDt);

/**
 * out += alpha * x over views of one shape and dtype. out may name an element several times (a
 * fold's overlapping windows): its contributions all add. The in-place update optimizers make,
 * and the sum of windows back onto their grid.
 */
void axpy(double alpha, const View& x, const View& out);

/** out = cond ? a : b, all broadcast to one shape. */
void where(const View& cond, const View& a, const View& b, char* out, int outDt);

/** Reduces the last nReduce dims of x into contiguous out. */
void reduce(int op, const View& x, int nReduce, char* out, int outDt);

/** out = softmax of x along its last dim, or its log; x and out float views of one shape and dtype. */
void softmax(const View& x, const View& out, bool log);

/** out = the gradient of a (log-)softmax along the last dim from its output y and y's gradient g. */
void softmaxBackward(const View& g, const View& y, const View& out, bool log);

/** out (index's shape) = x[.. int32 index along dim ..]; false (and *badIndex) on an out-of-range index. */
bool gather(const View& x, int dim, const View& index, char* out, int64_t* badIndex);

/**
 * dst (contiguous, dstShape)[.. index along dim ..] += src; false (and *badIndex) on an out-of-range
 * index. With zeroFirst (dim > 0 only), dst holds nothing yet and the kernel writes its zeros too,
 * slice by slice along dim 0 as it scatters.
 */
bool scatterAdd(char* dst, int dstDt, int nd, const int64_t* dstShape, int dim, const View& index, const View& src,
                int64_t* badIndex, bool zeroFirst);

/**
 * Max pooling of x's last k dims (windows of kernel taps, stride and dilation apart): values
 * (x's dtype) and positions (int32, flat in the pooled plane of k dims) are contiguous
 * [...lead, ...windows]. The first maximum of a window wins ties; a NaN wins over any number.
 */
void maxPool(const View& x, int k, const int64_t* kernel, const int64_t* stride, const int64_t* dilation,
             char* values, int32_t* positions);

}  // namespace cr
