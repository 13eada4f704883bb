// The addon's buffer functions: alloc, upload (typed or through the staging array), read,
// write, fill and free. Buffers are Externals with "basic" finalizers, run by Node during
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
napi_value wrapBuffer(Args& a, Buffer* b) {
  napi_value out = nullptr;
  if (b->bytes > 0 && !b->data) {
    deleteBuffer(b);
    a.error("out of memory");
    return nullptr;
  }
  if (napi_create_external(a.env, b, finalizeBuffer, nullptr, &out) != napi_ok) {
    deleteBuffer(b);
    a.error("could not create a buffer handle");
    return nullptr;
  }
  reportExternal(a.env);
  return out;
}

/** The bytes of a typed array argument. */

const char* typedArg(Args& a, size_t i, size_t* bytes) {
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void* data = nullptr;
  napi_value ab;
  *bytes = 0;
  if (i >= a.argc || napi_get_typedarray_info(a.env, a.argv[i], &type, &length, &data, &ab, &offset) != napi_ok) {
    a.error("expected a typed array", true);
    return nullptr;
  }
  const int width = type == napi_float64_array ? 8 : type == napi_uint8_array || type == napi_int8_array ? 1 : 4;
  *bytes = length * width;
  return static_cast<const char*>(data);
}

template <class T>
void fillWith(char* data, int64_t offset, int64_t n, T v) {
  T* p = reinterpret_cast<T*>(data) + offset;
  for (int64_t i = 0; i < n; i++) p[i] = v;
}

}  // namespace

napi_value Alloc(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const int dt = intArg(a, 0);
  double n = 0;
  if (a.ok() && (a.argc < 2 || napi_get_value_double(env, a.argv[1], &n) != napi_ok || n < 0 || n != std::floor(n)))
    a.error("alloc: expected a non-negative element count", true);
  if (a.ok() && (dt < 0 || dt > 3)) a.error("alloc: bad dtype");
  napi_value out = a.ok() ? wrapBuffer(a, newBuffer(dt, static_cast<int64_t>(n) * elemSize(dt), true)) : nullptr;
  finish(a);
  return out;
}

napi_value Upload(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const int dt = intArg(a, 0);
  size_t bytes = 0;
  const char* src = typedArg(a, 1, &bytes);
  if (a.ok() && (dt < 0 || dt > 3)) a.error("upload: bad dtype");
  napi_value out = nullptr;
  if (a.ok()) {
    Buffer* b = newBuffer(dt, static_cast<int64_t>(bytes), false);
    if (b->data) std::memcpy(b->data, src, bytes);
    out = wrapBuffer(a, b);
  }
  finish(a);
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
    out = wrapBuffer(a, b);
  }
  finish(a);
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
  finish(a);
  napi_value v = nullptr;
  if (a.ok()) napi_create_int32(env, static_cast<int32_t>(n), &v);
  return v;
}

napi_value Write(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  size_t len = 0, bytes = 0;
  char* dst = bufferArg(a, 0, &len, false);
  const char* src = typedArg(a, 1, &bytes);
  if (a.ok() && bytes > len) a.error("write: the data is larger than the buffer (was it disposed?)");
  if (a.ok()) {
    a.out = handleArg(a, 0);
    a.outBytes = static_cast<int64_t>(bytes);
    ready(a);
  }
  if (a.ok() && bytes > 0) std::memcpy(dst, src, bytes);
  return finish(a);
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
  finish(a);
  return out;
}

napi_value Fill(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  size_t len = 0;
  char* data = bufferArg(a, 0, &len, false);
  const int dt = intArg(a, 1);
  double offset = 0, n = 0, value = 0;
  if (a.ok() && (a.argc < 5 || napi_get_value_double(env, a.argv[2], &offset) != napi_ok ||
                 napi_get_value_double(env, a.argv[3], &n) != napi_ok ||
                 napi_get_value_double(env, a.argv[4], &value) != napi_ok))
    a.error("fill: expected offset, count and value", true);
  if (a.ok() && (dt < 0 || dt > 3)) a.error("fill: bad dtype");
  if (a.ok() && (offset < 0 || n < 0 || (offset + n) * elemSize(dt) > static_cast<double>(len)))
    a.error("fill: range outside the buffer (was it disposed?)");
  if (a.ok()) {
    const int64_t o = static_cast<int64_t>(offset), c = static_cast<int64_t>(n);
    a.out = handleArg(a, 0);
    a.outBytes = o == 0 ? c * elemSize(dt) : -1;
    ready(a);
    // a typed array's fill stores the value with its own conversion rules
    if (dt == kF32) fillWith(data, o, c, static_cast<float>(value));
    else if (dt == kF64) fillWith(data, o, c, value);
    else if (dt == kI32) fillWith(data, o, c, toInt32(value));
    else fillWith(data, o, c, toUint8(value));
  }
  return finish(a);
}

napi_value Free(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  Buffer* b = handleArg(a, 0);
  if (a.ok() && b->data) {
    releaseMemory(b);
    reportExternal(env);
  }
  return finish(a);
}

napi_value PooledBytes(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_double(env, static_cast<double>(pooledBytes()), &v);
  return v;
}

}  // namespace cr
