// The addon's Node-API functions, shared between addon.cc (kernels and module setup),
// addon-buffers.cc (buffer management) and addon-index.cc (gather and scatters); argument
// decoding lives in napi-args.h.
#pragma once

#include <node_api.h>

#include "napi-args.h"

namespace cr {

/** alloc(dtype, n): a zero-filled buffer handle. */
napi_value Alloc(napi_env env, napi_callback_info info);
/** upload(dtype, typedArray): a buffer holding a copy of the typed array's bytes. */
napi_value Upload(napi_env env, napi_callback_info info);
/** uploadStaged(dtype, n): a buffer holding the first n staging values converted to dtype. */
napi_value UploadStaged(napi_env env, napi_callback_info info);
/** readStaged(handle, dtype): copies a small buffer into the staging array; its length, or -1. */
napi_value ReadStaged(napi_env env, napi_callback_info info);
/** read(handle, dtype): a typed-array copy of the whole buffer. */
napi_value Read(napi_env env, napi_callback_info info);
/** write(handle, typedArray): copies the typed array's bytes to the start of the buffer. */
napi_value Write(napi_env env, napi_callback_info info);
/** fill(handle, dtype, offset, n, value). */
napi_value Fill(napi_env env, napi_callback_info info);
/** free(handle): returns the buffer's memory now. */
napi_value Free(napi_env env, napi_callback_info info);
/** pooledBytes(): bytes of released memory kept for reuse. */
napi_value PooledBytes(napi_env env, napi_callback_info info);

/** gather(x, dim, index, out): out (index's shape) = x's elements index picks along dim. */
napi_value Gather(napi_env env, napi_callback_info info);
/** scatterAdd(dst, dim, index, src): dst's elements index picks along dim += src's. */
napi_value ScatterAdd(napi_env env, napi_callback_info info);
/** scatterReduce(dst, dim, index, src, reduce, includeSelf): dst's picked elements combined with src's. */
napi_value ScatterReduce(napi_env env, napi_callback_info info);

/** activation(kind, x, out): a fused GELU or SiLU pass (addon-activation.cc). */
napi_value Activation(napi_env env, napi_callback_info info);
/** activationBackward(kind, g, x, out): g times the activation's derivative at x. */
napi_value ActivationBackward(napi_env env, napi_callback_info info);

/** convDirect(x, w, bias | null, out): a stride-1 2-D convolution with no im2col matrix (conv.h). */
napi_value ConvDirect(napi_env env, napi_callback_info info);
/** convWeightGrad(x, g, out): the weight gradient of that convolution (conv.h). */
napi_value ConvWeightGrad(napi_env env, napi_callback_info info);
/** adamStep(p, g, m, v, vmax | null): the fused Adam/AdamW update of one parameter (optim.cc). */
napi_value AdamStep(napi_env env, napi_callback_info info);

/** lstmCell, lstmCellBackward, gruCell, gruCellBackward: the fused recurrent cells (recurrent.cc). */
napi_value LstmCell(napi_env env, napi_callback_info info);
napi_value LstmCellBackward(napi_env env, napi_callback_info info);
napi_value GruCell(napi_env env, napi_callback_info info);
napi_value GruCellBackward(napi_env env, napi_callback_info info);

/** batchNormStats, batchNormForward, batchNormBackward, layerNormForward, layerNormBackward (addon-norm.cc). */
napi_value BatchNormStats(napi_env env, napi_callback_info info);
napi_value BatchNormForward(napi_env env, napi_callback_info info);
napi_value BatchNormBackward(napi_env env, napi_callback_info info);
napi_value LayerNormForward(napi_env env, napi_callback_info info);
napi_value LayerNormBackward(napi_env env, napi_callback_info info);

/**
 * Whether view v is every element of buffer b once, dense in some order of its dims (a permuted
 * layout counts), so that a kernel writing all of v writes every byte of b.
 */
bool coversBuffer(const View& v, const Buffer& b);

/**
 * Settles the deferred zeros of output buffer argument i, which a kernel writes through view v:
 * skipped when v covers the whole buffer, written first otherwise.
 */
void settleOutput(Args& a, size_t i, const View& v);

}  // namespace cr
