// The kernels that the calls of calls.h run, one per method of the TypeScript Kernels
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

/** out (contiguous, x's shape and float dtype) = a fused activation of x (an ActivationKind of isa.h). */
void activation(int kind, const View& x, char* out);

/** out (contiguous) = g · the activation's derivative at x; g and x float views of one shape and dtype. */
void activationBackward(int kind, const View& g, const View& x, char* out);

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
 * dst (contiguous, dstShape, src's dtype)[.. index along dim ..] = reduce(that, src), in index order;
 * reduce is the mode's position in the TypeScript scatterReduceOps (assign, sum, prod, amax, amin).
 * Without includeSelf a position src reaches starts from the first value it gets. False (and
 * *badIndex) on an out-of-range index.
 */
bool scatterReduce(char* dst, int dt, int nd, const int64_t* dstShape, int dim, const View& index, const View& src,
                   int reduce, bool includeSelf, int64_t* badIndex);

/** Scan kernels, numbered in table order; in their own namespace, as kSum is a reduction's too. */
namespace scanop {
#define CR_SCAN_CONSTANT(constant, name) constant,
#define CR_SCAN_NAME(constant, name) name,
enum Op : int { CR_SCAN_OPS(CR_SCAN_CONSTANT) kCount };
/** Their names, exported so the TypeScript side can map names to codes. */
inline constexpr const char* kNames[] = {CR_SCAN_OPS(CR_SCAN_NAME)};
#undef CR_SCAN_CONSTANT
#undef CR_SCAN_NAME
}  // namespace scanop

/**
 * out (x's shape and dtype) = the inclusive scan `op` of x along its last dim; max and min also
 * write indices (int32, x's shape; may be null): where each running extreme was taken.
 */
void scan(int op, const View& x, const View& out, const View* indices);

/**
 * values (x's dtype) and indices (int32) = x sorted stably along its last dim, NaN above every
 * number, and where each value came from; all three views of one shape.
 */
void sortRows(const View& x, bool descending, const View& values, const View& indices);

/**
 * Max pooling of x's last k dims (windows of kernel taps, stride and dilation apart): values
 * (x's dtype) and positions (int32, flat in the pooled plane of k dims) are contiguous
 * [...lead, ...windows]. The first maximum of a window wins ties; a NaN wins over any number.
 */
void maxPool(const View& x, int k, const int64_t* kernel, const int64_t* stride, const int64_t* dilation,
             char* values, int32_t* positions);

}  // namespace cr
