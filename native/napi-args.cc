// Argument decoding for the addon's functions (see napi-args.h).

#include "napi-args.h"

namespace cr {

bool load(napi_env env, napi_callback_info info, Args& a) {
  a.env = env;
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &a.argc, a.argv, nullptr, &data) != napi_ok) return false;
  a.inst = static_cast<Instance*>(data);
  return true;
}

napi_value finish(Args& a) {
  if (!a.ok()) {
    if (a.fail.type)
      napi_throw_type_error(a.env, nullptr, a.fail.msg.c_str());
    else
      napi_throw_range_error(a.env, nullptr, a.fail.msg.c_str());
  }
  return nullptr;
}

int32_t intArg(Args& a, size_t i) {
  int32_t v = 0;
  if (i >= a.argc || napi_get_value_int32(a.env, a.argv[i], &v) != napi_ok) a.error("expected an integer argument", true);
  return v;
}

/** The Buffer behind handle argument i, or nullptr (and an error) if it is not one of ours. */
Buffer* handleArg(Args& a, size_t i) {
  napi_valuetype type;
  void* data = nullptr;
  if (i >= a.argc || napi_typeof(a.env, a.argv[i], &type) != napi_ok || type != napi_external ||
      napi_get_value_external(a.env, a.argv[i], &data) != napi_ok || !data ||
      static_cast<Buffer*>(data)->magic != kBufferMagic) {
    a.error("expected a buffer handle of the native backend", true);
    return nullptr;
  }
  return static_cast<Buffer*>(data);
}

/**
 * The bytes of handle argument i: an addon buffer or, for tensors small enough that the JS side
 * keeps them as typed arrays, that typed array. A disposed buffer reads as empty, so any view of
 * it fails its bounds check. Inputs get their deferred zeros written; outputs are settled by ready().
 */
char* bufferArg(Args& a, size_t i, size_t* len, bool input) {
  *len = 0;
  bool typed = false;
  if (i < a.argc && napi_is_typedarray(a.env, a.argv[i], &typed) == napi_ok && typed) {
    napi_typedarray_type type;
    size_t length = 0, offset = 0;
    void* data = nullptr;
    napi_value ab;
    napi_get_typedarray_info(a.env, a.argv[i], &type, &length, &data, &ab, &offset);
    const size_t width = type == napi_float64_array ? 8 : type == napi_uint8_array || type == napi_int8_array ? 1 : 4;
    *len = length * width;
    return static_cast<char*>(data);
  }
  Buffer* b = handleArg(a, i);
  if (!b || !b->data) return nullptr;
  if (input) ensureZero(b);
  *len = static_cast<size_t>(b->bytes);
  return b->data;
}

/** The addon Buffer behind argument i, or nullptr for a typed array (which needs no settling). */
Buffer* ownBuffer(Args& a, size_t i) {
  bool typed = false;
  if (i < a.argc && napi_is_typedarray(a.env, a.argv[i], &typed) == napi_ok && typed) return nullptr;
  return handleArg(a, i);
}

double next(Args& a) {
  if (!a.inst->desc || a.pos >= a.inst->descLen) {
    a.error("view descriptor overflow");
    return 0;
  }
  return a.inst->desc[a.pos++];
}

/** Reads the next view from the descriptor and checks that it stays inside buffer argument i. */
View viewArg(Args& a, size_t i, bool input) {
  View v;
  size_t len = 0;
  v.data = bufferArg(a, i, &len, input);
  v.dtype = static_cast<int>(next(a));
  v.offset = static_cast<int64_t>(next(a));
  v.nd = static_cast<int>(next(a));
  if (v.dtype < 0 || v.dtype > 3 || v.nd < 0 || v.nd > kMaxDims) {
    a.error("bad view descriptor (dtype " + std::to_string(v.dtype) + ", " + std::to_string(v.nd) + " dims, at most " +
            std::to_string(kMaxDims) + ")");
    return v;
  }
  for (int d = 0; d < v.nd; d++) v.shape[d] = static_cast<int64_t>(next(a));
  for (int d = 0; d < v.nd; d++) v.strides[d] = static_cast<int64_t>(next(a));
  int64_t lo = v.offset, hi = v.offset;
  bool empty = false;
  for (int d = 0; d < v.nd; d++) {
    if (v.shape[d] < 0) a.error("bad view descriptor: negative size");
    if (v.shape[d] == 0) empty = true;
    const int64_t span = v.strides[d] * (v.shape[d] - 1);
    (span < 0 ? lo : hi) += span;
  }
  const int64_t elems = static_cast<int64_t>(len) / elemSize(v.dtype);
  if (!empty && (lo < 0 || hi >= elems))
    a.error("view reaches elements [" + std::to_string(lo) + ", " + std::to_string(hi) + "] of a buffer of " +
            std::to_string(elems) + " (was the tensor disposed?)");
  return v;
}

/** Output buffer argument i, which the kernel fills with `n` elements of dtype dt. */
char* outArg(Args& a, size_t i, int dt, int64_t n) {
  size_t len = 0;
  char* p = bufferArg(a, i, &len, false);
  if (dt < 0 || dt > 3) a.error("bad output dtype");
  else if (static_cast<int64_t>(len) < n * elemSize(dt))
    a.error("output buffer holds " + std::to_string(len) + " bytes, needs " + std::to_string(n * elemSize(dt)));
  if (a.ok()) {
    a.out = ownBuffer(a, i);
    a.outBytes = n * elemSize(dt);
  }
  return p;
}

/**
 * True when every check passed and the kernel may run. An output the kernel overwrites whole
 * skips its deferred zeros; one it only partly writes gets them first.
 */
bool ready(Args& a) {
  if (!a.ok()) return false;
  if (a.out) {
    if (a.outBytes == a.out->bytes)
      a.out->zeroPending = false;
    else
      ensureZero(a.out);
  }
  return true;
}

bool sameShape(const View& x, const View& y) {
  if (x.nd != y.nd) return false;
  for (int d = 0; d < x.nd; d++)
    if (x.shape[d] != y.shape[d]) return false;
  return true;
}

void requireSameShape(Args& a, const char* op, const View& x, const View& y) {
  if (a.ok() && !sameShape(x, y)) a.error(std::string(op) + ": operand shapes differ");
}

}  // namespace cr
