// The addon's Node-API functions, shared between addon.cc (kernels and module setup) and
// addon-buffers.cc (buffer management); argument decoding lives in napi-args.h.
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

}  // namespace cr
