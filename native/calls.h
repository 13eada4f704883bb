// The kernel calls: every entry point takes its decoded Args (args.h) and records any error in
// them, so a transport (Node-API in addon.cc, WebAssembly exports elsewhere) binds the one list
// below without knowing what each call does. Calls that return values (alloc, read, ...) hold
// transport objects and stay with their transport.
#pragma once

#include "args.h"

namespace cr {

/** A kernel entry point: checks its arguments, then runs (or records why not). */
using CallFn = void (*)(Args&);

/** A kernel entry point under the name the TypeScript side calls it by. */
struct Call {
  const char* name;
  CallFn fn;
};

/** Every kernel entry point (calls.cc). */
extern const Call kCalls[];
/** The number of entries in kCalls. */
extern const int kCallCount;

/** copy(src, dst): src's view copied into dst's, of one shape (calls.cc). */
void Copy(Args& a);
/** unary(op, x, out, outDtype): an elementwise op of scalar-ops.h into a contiguous out. */
void Unary(Args& a);
/** binary(op, x, y, out, outDtype): an elementwise op of two views of one shape. */
void Binary(Args& a);
/** axpy(alpha, x, out): out += alpha x, in place. */
void Axpy(Args& a);
/** where(cond, x, y, out, outDtype): x where cond is nonzero, else y. */
void Where(Args& a);
/** reduce(op, x, nReduce, out, outDtype): a reduction over x's last nReduce dims. */
void Reduce(Args& a);
/** softmax(x, out, log): softmax (or log-softmax) along the last dim. */
void Softmax(Args& a);
/** softmaxBackward(g, y, out, log): its gradient given the output y. */
void SoftmaxBackward(Args& a);
/** scan(op, x, out[, indices]): cumulative op along the last dim. */
void Scan(Args& a);
/** sort(x, values, indices, descending): rows sorted along the last dim. */
void Sort(Args& a);
/** matmul(x, y, out, dtype): batched matrix product. */
void Matmul(Args& a);
/** maxPool(x, values, positions): max pooling, geometry in the descriptor after x's view. */
void MaxPool(Args& a);
/** write(handle, bytes): copies a typed array's bytes to the start of the buffer. */
void Write(Args& a);
/** fill(handle, dtype, offset, n, value). */
void Fill(Args& a);
/** setNumThreads(n): the thread pool's size. */
void SetNumThreads(Args& a);

/** gather(x, dim, index, out): out (index's shape) = x's elements index picks along dim (calls-index.cc). */
void Gather(Args& a);
/** scatterAdd(dst, dim, index, src): dst's elements index picks along dim += src's. */
void ScatterAdd(Args& a);
/** scatterReduce(dst, dim, index, src, reduce, includeSelf): dst's picked elements combined with src's. */
void ScatterReduce(Args& a);

/** activation(kind, x, out): a fused GELU or SiLU pass (calls-activation.cc). */
void Activation(Args& a);
/** activationBackward(kind, g, x, out): g times the activation's derivative at x. */
void ActivationBackward(Args& a);

/** convDirect(x, w, bias | null, out): a stride-1 2-D convolution with no im2col matrix (calls-conv.cc). */
void ConvDirect(Args& a);
/** convWeightGrad(x, g, out, bias | null): the weight gradient of that convolution (and the bias's). */
void ConvWeightGrad(Args& a);

/**
 * batchNormStats, batchNormForward, batchNormTrain, batchNormBackward, layerNormForward,
 * layerNormBackward (calls-norm.cc).
 */
void BatchNormStats(Args& a);
void BatchNormForward(Args& a);
void BatchNormTrain(Args& a);
void BatchNormBackward(Args& a);
void LayerNormForward(Args& a);
void LayerNormBackward(Args& a);

/** adamStep(p, g, m, v, vmax | null): the fused Adam/AdamW update of one parameter (optim.cc). */
void AdamStep(Args& a);

/** lstmCell, lstmCellBackward, gruCell, gruCellBackward: the fused recurrent cells (recurrent.cc). */
void LstmCell(Args& a);
void LstmCellBackward(Args& a);
void GruCell(Args& a);
void GruCellBackward(Args& a);

/** attention(q, k, v, mask | null, out, lse, scale, causal): fused attention (attention.cc). */
void Attention(Args& a);
/** attentionBackward(q, k, v, mask | null, out, lse, gOut, gq, gk, gv, scale, causal) (attention.cc). */
void AttentionBackward(Args& a);

}  // namespace cr
