// The Node-API surface of the addon. Tensor memory is the addon's own (buffers.cc) and JS holds
// it through napi Externals with "basic" finalizers, which Node runs during garbage collection
// itself (ordinary finalizers, and those of external ArrayBuffers, wait for the event loop to
// turn, which a synchronous training loop never lets happen). Geometry arrives through one
// shared Float64Array, written by the TypeScript side before each call, instead of as JS
// objects: reading properties through Node-API would cost more than most kernels. Every view is
// checked against its buffer's length before any kernel touches memory. The kernel calls
// themselves (calls.h) know nothing of Node-API: one trampoline decodes their arguments, runs
// them and throws what they recorded.

#include <node_api.h>

#include "addon.h"
#include "calls.h"
#include "isa.h"
#include "kernels.h"
#include "thread-pool.h"

namespace cr {
namespace {

// Bumped whenever the descriptor layout or a function's arguments change, so a stale build is
// refused by the TypeScript side instead of misreading its calls.
constexpr int kAbi = 10;

/** A Float64Array argument's data and length, or nullptr when the value is not one. */
double* float64Array(napi_env env, napi_value v, size_t* length) {
  napi_typedarray_type type;
  void* data = nullptr;
  napi_value ab;
  size_t byteOffset = 0;
  if (napi_get_typedarray_info(env, v, &type, length, &data, &ab, &byteOffset) != napi_ok ||
      type != napi_float64_array)
    return nullptr;
  return static_cast<double*>(data);
}

/**
 * init(descriptor, staging): the two Float64Arrays every later call reads, held by references
 * so that their memory stays where the Instance points.
 */
napi_value Init(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, &data) != napi_ok || !data) return nullptr;
  NapiInstance* ni = static_cast<const Binding*>(data)->owner;
  Args a;
  // argument i, a Float64Array, held by `ref` and pointed to by (data, len)
  const auto hold = [&](size_t i, const char* what, napi_ref& ref, auto& data, size_t& len) {
    size_t n = 0;
    double* p = argc > i ? float64Array(env, argv[i], &n) : nullptr;
    if (!p) return a.error(std::string("init: expected a Float64Array ") + what, true);
    if (ref) napi_delete_reference(env, ref);
    napi_create_reference(env, argv[i], 1, &ref);
    data = p;
    len = n;
  };
  hold(0, "descriptor", ni->descRef, ni->inst.desc, ni->inst.descLen);
  if (a.ok()) hold(1, "staging buffer", ni->stagingRef, ni->inst.staging, ni->inst.stagingLen);
  return finish(env, a);
}

/** The one napi function behind every kernel call: its Binding names the kCalls entry to run. */
napi_value Trampoline(napi_env env, napi_callback_info info) {
  const Binding* b = nullptr;
  Args a;
  if (!load(env, info, a, &b)) return nullptr;
  if (a.ok()) b->call->fn(a);
  return finish(env, a);
}

napi_value GetNumThreads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, getNumThreads(), &v);
  return v;
}

napi_value Simd(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, isa().name, NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value stringArray(napi_env env, const char* const* names, int n) {
  napi_value arr;
  napi_create_array_with_length(env, static_cast<size_t>(n), &arr);
  for (int i = 0; i < n; i++) {
    napi_value s;
    napi_create_string_utf8(env, names[i], NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, arr, static_cast<uint32_t>(i), s);
  }
  return arr;
}

napi_value SimdPaths(napi_env env, napi_callback_info) {
  int n = 0;
  const char* const* names = availableIsas(&n);
  return stringArray(env, names, n);
}

}  // namespace
}  // namespace cr

NAPI_MODULE_INIT() {
  using namespace cr;
  auto* inst = new NapiInstance();
  napi_set_instance_data(
      env, inst, [](napi_env, void* data, void*) { delete static_cast<NapiInstance*>(data); }, nullptr);
  const struct {
    const char* name;
    napi_callback cb;
  } fns[] = {{"init", Init},
             {"free", Free},
             {"alloc", Alloc},
             {"upload", Upload},
             {"read", Read},
             {"pooledBytes", PooledBytes},
             {"uploadStaged", UploadStaged},
             {"readStaged", ReadStaged},
             {"getNumThreads", GetNumThreads},
             {"simd", Simd},
             {"simdPaths", SimdPaths}};
  const size_t nFns = sizeof(fns) / sizeof(fns[0]);
  inst->bindings.resize(static_cast<size_t>(kCallCount) + nFns);
  const auto bind = [&](size_t i, const char* name, napi_callback cb, const Call* call) {
    inst->bindings[i] = Binding{inst, call};
    napi_value fn;
    napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, &inst->bindings[i], &fn);
    napi_set_named_property(env, exports, name, fn);
  };
  for (int i = 0; i < kCallCount; i++) bind(static_cast<size_t>(i), kCalls[i].name, Trampoline, &kCalls[i]);
  for (size_t i = 0; i < nFns; i++) bind(static_cast<size_t>(kCallCount) + i, fns[i].name, fns[i].cb, nullptr);
  napi_value abi;
  napi_create_int32(env, kAbi, &abi);
  napi_set_named_property(env, exports, "abi", abi);
  napi_set_named_property(env, exports, "unaryOps", stringArray(env, kUnaryNames, kUnaryCount));
  napi_set_named_property(env, exports, "binaryOps", stringArray(env, kBinaryNames, kBinaryCount));
  napi_set_named_property(env, exports, "reduceOps", stringArray(env, kReduceNames, kReduceCount));
  napi_set_named_property(env, exports, "scanOps", stringArray(env, scanop::kNames, scanop::kCount));
  return exports;
}
