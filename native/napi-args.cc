// Decoding Node-API arguments into Args (see napi-args.h): one napi_typeof and at most one getter
// per argument, so checking a call costs no more napi calls than it has arguments to read.

#include "napi-args.h"

namespace cr {
namespace {

/** The width in bytes of one element of a typed array of this type. */
size_t elementBytes(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array:
      return 8;
    default:
      return 4;
  }
}

/** Decodes one napi value; a foreign External is recorded as an error in `a`. */
void decode(napi_env env, napi_value v, Arg& arg, Args& a) {
  arg.kind = Arg::kMissing;
  napi_valuetype type;
  if (napi_typeof(env, v, &type) != napi_ok) return;
  switch (type) {
    case napi_number:
      if (napi_get_value_double(env, v, &arg.num) == napi_ok) arg.kind = Arg::kNumber;
      return;
    case napi_null:
    case napi_undefined:
      arg.kind = Arg::kNull;
      return;
    case napi_external: {
      void* data = nullptr;
      if (napi_get_value_external(env, v, &data) == napi_ok && data &&
          static_cast<Buffer*>(data)->magic == kBufferMagic) {
        arg.kind = Arg::kBuffer;
        arg.buffer = static_cast<Buffer*>(data);
      } else {
        a.error("expected a buffer handle of the native backend", true);
      }
      return;
    }
    case napi_object: {
      // typed arrays are objects to napi_typeof; anything else fails the getter and stays kMissing
      napi_typedarray_type ta;
      size_t length = 0, offset = 0;
      void* data = nullptr;
      napi_value ab;
      if (napi_get_typedarray_info(env, v, &ta, &length, &data, &ab, &offset) == napi_ok) {
        arg.kind = Arg::kBytes;
        arg.bytes = static_cast<char*>(data);
        arg.len = length * elementBytes(ta);
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace

bool load(napi_env env, napi_callback_info info, Args& a, const Binding** binding) {
  napi_value argv[kMaxArgs];
  size_t argc = kMaxArgs;
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, &data) != napi_ok || !data) return false;
  const Binding* b = static_cast<const Binding*>(data);
  if (binding) *binding = b;
  a.inst = &b->owner->inst;
  // napi reports how many were passed, which may be more than it copied
  a.argc = argc < kMaxArgs ? argc : kMaxArgs;
  for (size_t i = 0; i < a.argc; i++) decode(env, argv[i], a.argv[i], a);
  return true;
}

napi_value finish(napi_env env, const Args& a) {
  if (!a.ok()) {
    if (a.fail.type)
      napi_throw_type_error(env, nullptr, a.fail.msg.c_str());
    else
      napi_throw_range_error(env, nullptr, a.fail.msg.c_str());
  }
  return nullptr;
}

}  // namespace cr
