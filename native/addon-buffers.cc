// The addon's buffer functions that return values or hold napi objects: alloc, upload (typed or
// through the staging array), read and free (write and fill, which do not, are kernel calls in
// calls.cc). Buffers are Externals with "basic" finalizers, run by Node during
// garbage collection itself, so memory comes back even in a loop that never yields; the memory
// they hold is reported to V8 as external memory so that it collects when that grows.

#include <cmath>
#include <cstring>

#include "addon.h"

namespace cr {
namespace {

/**
 * Tells V8 how the addon's memory changed since the last call (see takeReportedBytesChange), so
 * that it collects when that grows (buffers dropped by JS come back only through collection).
 * Node ignores the call given a null result pointer, so one is always passed.
 */
void reportExternal(node_api_basic_env env) {
  const int64_t change = takeReportedBytesChange();
  int64_t total = 0;
  if (change != 0) napi_adjust_external_memory(env, change, &total);
}

void finalizeBuffer(node_api_basic_env env, void* data, void*) {
  deleteBuffer(static_cast<Buffer*>(data));
  reportExternal(env);
}

/** Wraps a new buffer in an External that frees it when collected. */
napi_value wrapBuffer(napi_env env, Args& a, Buffer* b) {
  napi_value out = nullptr;
  if (b->bytes > 0 && !b->data) {
    deleteBuffer(b);
    a.error("out of memory");
    return nullptr;
  }
  if (napi_create_external(env, b, finalizeBuffer, nullptr, &out) != napi_ok) {
    deleteBuffer(b);
    a.error("could not create a buffer handle");
    return nullptr;
  }
  reportExternal(env);
  return out;
}

}  // namespace

napi_value Alloc(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const int dt = intArg(a, 0);
  const double n = numArg(a, 1, "alloc: expected a non-negative element count");
  if (a.ok() && (n < 0 || n != std::floor(n))) a.error("alloc: expected a non-negative element count", true);
  if (a.ok() && (dt < 0 || dt > 3)) a.error("alloc: bad dtype");
  napi_value out = a.ok() ? wrapBuffer(env, a, newBuffer(dt, static_cast<int64_t>(n) * elemSize(dt), true)) : nullptr;
  finish(env, a);
  return out;
}

napi_value Upload(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const int dt = intArg(a, 0);
  size_t bytes = 0;
  const char* src = bytesArg(a, 1, &bytes);
  if (a.ok() && (dt < 0 || dt > 3)) a.error("upload: bad dtype");
  napi_value out = nullptr;
  if (a.ok()) {
    Buffer* b = newBuffer(dt, static_cast<int64_t>(bytes), false);
    if (b->data) std::memcpy(b->data, src, bytes);
    out = wrapBuffer(env, a, b);
  }
  finish(env, a);
  return out;
}

napi_value UploadStaged(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const int dt = intArg(a, 0);
  const int n = intArg(a, 1);
  if (a.ok() && (dt < 0 || dt > 3)) a.error("upload: bad dtype");
  if (a.ok() && (n < 0 || static_cast<size_t>(n) > a.inst->stagingLen)) a.error("upload: staging overflow");
  napi_value out = nullptr;
  if (a.ok()) {
    Buffer* b = newBuffer(dt, int64_t{n} * elemSize(dt), false);
    if (b->data)
      for (int i = 0; i < n; i++) storeDouble(b->data, dt, i, a.inst->staging[i]);
    out = wrapBuffer(env, a, b);
  }
  finish(env, a);
  return out;
}

napi_value ReadStaged(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  Buffer* b = handleArg(a, 0);
  const int dt = intArg(a, 1);
  if (a.ok() && (dt < 0 || dt > 3)) a.error("read: bad dtype");
  if (a.ok() && !b->data && b->bytes > 0) a.error("read: the buffer was disposed");
  int64_t n = 0;
  if (a.ok()) {
    n = b->bytes / elemSize(dt);
    if (static_cast<size_t>(n) > a.inst->stagingLen) {
      n = -1;  // too large: the caller reads it as a typed array instead
    } else {
      ensureZero(b);
      for (int64_t i = 0; i < n; i++) a.inst->staging[i] = loadAsDouble(b->data, dt, i);
    }
  }
  finish(env, a);
  napi_value v = nullptr;
  if (a.ok()) napi_create_int32(env, static_cast<int32_t>(n), &v);
  return v;
}

napi_value Read(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  Buffer* b = handleArg(a, 0);
  const int dt = intArg(a, 1);
  if (a.ok() && (dt < 0 || dt > 3)) a.error("read: bad dtype");
  if (a.ok() && !b->data && b->bytes > 0) a.error("read: the buffer was disposed");
  napi_value out = nullptr;
  if (a.ok()) {
    ensureZero(b);
    const size_t n = static_cast<size_t>(b->bytes / elemSize(dt));
    void* data = nullptr;
    napi_value ab;
    napi_create_arraybuffer(env, n * elemSize(dt), &data, &ab);
    if (n > 0) std::memcpy(data, b->data, n * elemSize(dt));
    const napi_typedarray_type types[] = {napi_float32_array, napi_float64_array, napi_int32_array, napi_uint8_array};
    napi_create_typedarray(env, types[dt], n, ab, 0, &out);
  }
  finish(env, a);
  return out;
}

napi_value Free(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  Buffer* b = handleArg(a, 0);
  if (a.ok() && b->data) {
    releaseMemory(b);
    reportExternal(env);
  }
  return finish(env, a);
}

napi_value PooledBytes(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_double(env, static_cast<double>(pooledBytes()), &v);
  return v;
}

}  // namespace cr
