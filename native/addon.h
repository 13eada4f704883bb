// The addon's Node-API functions that return values or hold napi objects (addon-buffers.cc),
// registered by addon.cc beside the kernel calls of calls.h; argument decoding lives in
// napi-args.h.
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
/** free(handle): returns the buffer's memory now. */
napi_value Free(napi_env env, napi_callback_info info);
/** pooledBytes(): bytes of released memory kept for reuse. */
napi_value PooledBytes(napi_env env, napi_callback_info info);
}  // namespace cr
