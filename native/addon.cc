// The Node-API surface of the addon. Tensor memory is the addon's own (buffers.cc) and JS holds
// it through napi Externals with "basic" finalizers, which Node runs during garbage collection
// itself (ordinary finalizers, and those of external ArrayBuffers, wait for the event loop to
// turn, which a synchronous training loop never lets happen). Geometry arrives through one
// shared Float64Array, written by the TypeScript side before each call, instead of as JS
// objects: reading properties through Node-API would cost more than most kernels. Every view is
// checked against its buffer's length before any kernel touches memory.

#include <node_api.h>

#include <cstring>
#include <string>

#include "addon.h"
#include "gemm.h"
#include "isa.h"
#include "kernels.h"
#include "thread-pool.h"

namespace cr {
namespace {

// Bumped whenever the descriptor layout or a function's arguments change, so a stale build is
// refused by the TypeScript side instead of misreading its calls.
constexpr int kAbi = 10;

napi_value Init(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  void* data = nullptr;
  size_t length = 0;
  napi_typedarray_type type;
  napi_value ab;
  size_t byteOffset = 0;
  if (a.argc < 1 || napi_get_typedarray_info(env, a.argv[0], &type, &length, &data, &ab, &byteOffset) != napi_ok ||
      type != napi_float64_array) {
    a.error("init: expected a Float64Array descriptor", true);
    return finish(a);
  }
  if (a.inst->descRef) napi_delete_reference(env, a.inst->descRef);
  napi_create_reference(env, a.argv[0], 1, &a.inst->descRef);
  a.inst->desc = static_cast<const double*>(data);
  a.inst->descLen = length;
  if (a.argc < 2 || napi_get_typedarray_info(env, a.argv[1], &type, &length, &data, &ab, &byteOffset) != napi_ok ||
      type != napi_float64_array) {
    a.error("init: expected a Float64Array staging buffer", true);
    return finish(a);
  }
  if (a.inst->stagingRef) napi_delete_reference(env, a.inst->stagingRef);
  napi_create_reference(env, a.argv[1], 1, &a.inst->stagingRef);
  a.inst->staging = static_cast<double*>(data);
  a.inst->stagingLen = length;
  return nullptr;
}

}  // namespace

bool coversBuffer(const View& v, const Buffer& b) {
  if (v.offset != 0 || v.numel() * elemSize(v.dtype) != b.bytes) return false;
  int dims[kMaxDims];
  int n = 0;
  for (int d = 0; d < v.nd; d++) {
    if (v.shape[d] == 1) continue;
    // insertion by stride, smallest first
    int i = n++;
    for (; i > 0 && v.strides[dims[i - 1]] > v.strides[d]; i--) dims[i] = dims[i - 1];
    dims[i] = d;
  }
  int64_t s = 1;
  for (int i = 0; i < n; s *= v.shape[dims[i]], i++)
    if (v.strides[dims[i]] != s) return false;
  return true;
}

void settleOutput(Args& a, size_t i, const View& v) {
  if (Buffer* b = ownBuffer(a, i)) {
    if (coversBuffer(v, *b))
      b->zeroPending = false;
    else
      ensureZero(b);
  }
}

namespace {

napi_value Copy(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const View src = viewArg(a, 0);
  const View dst = viewArg(a, 1, false);
  requireSameShape(a, "copy", src, dst);
  // a dense copy into the whole buffer writes every byte; anything else needs the zeros
  if (a.ok()) settleOutput(a, 1, dst);
  if (a.ok() && src.numel() > 0) copyView(src, dst);
  return finish(a);
}

napi_value Unary(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const int op = intArg(a, 0);
  const View x = viewArg(a, 1);
  const int outDt = intArg(a, 3);
  char* out = outArg(a, 2, outDt, x.numel());
  if (op < 0 || op >= kUnaryCount) a.error("unary: unknown op code");
  if (ready(a) && x.numel() > 0) unary(op, x, out, outDt);
  return finish(a);
}

napi_value Binary(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const int op = intArg(a, 0);
  const View x = viewArg(a, 1);
  const View y = viewArg(a, 2);
  const int outDt = intArg(a, 4);
  char* out = outArg(a, 3, outDt, x.numel());
  if (op < 0 || op >= kBinaryCount) a.error("binary: unknown op code");
  requireSameShape(a, "binary", x, y);
  if (ready(a) && x.numel() > 0) binary(op, x, y, out, outDt);
  return finish(a);
}

napi_value Axpy(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  double alpha = 0;
  if (a.ok() && (a.argc < 3 || napi_get_value_double(env, a.argv[0], &alpha) != napi_ok))
    a.error("axpy: expected a number alpha", true);
  const View x = viewArg(a, 1);
  // out is read as well as written: it is loaded as an input, so its deferred zeros are real
  const View out = viewArg(a, 2);
  requireSameShape(a, "axpy", x, out);
  if (a.ok() && out.dtype != x.dtype) a.error("axpy: x and out must share a dtype");
  if (a.ok() && x.numel() > 0) axpy(alpha, x, out);
  return finish(a);
}

napi_value Where(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const View c = viewArg(a, 0);
  const View x = viewArg(a, 1);
  const View y = viewArg(a, 2);
  const int outDt = intArg(a, 4);
  char* out = outArg(a, 3, outDt, x.numel());
  requireSameShape(a, "where", c, x);
  requireSameShape(a, "where", x, y);
  if (ready(a) && x.numel() > 0) where(c, x, y, out, outDt);
  return finish(a);
}

napi_value Reduce(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const int op = intArg(a, 0);
  const View x = viewArg(a, 1);
  const int nReduce = intArg(a, 2);
  const int outDt = intArg(a, 4);
  int64_t rows = 1;
  for (int d = 0; d < x.nd - nReduce; d++) rows *= x.shape[d];
  char* out = outArg(a, 3, outDt, rows);
  if (op < 0 || op >= kReduceCount) a.error("reduce: unknown op code");
  if (nReduce < 0 || nReduce > x.nd) a.error("reduce: nReduce out of range");
  if (ready(a)) reduce(op, x, nReduce, out, outDt);
  return finish(a);
}

/**
 * softmax(x, out, log) with nIn = 1, softmaxBackward(g, y, out, log) with nIn = 2: nIn input views
 * and the output's, float views of one shape and dtype with at least one dim.
 */
napi_value SoftmaxCall(napi_env env, napi_callback_info info, int nIn) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const std::string op = nIn == 1 ? "softmax" : "softmaxBackward";
  View v[3];
  for (int i = 0; i < nIn; i++) v[i] = viewArg(a, i);
  v[nIn] = viewArg(a, nIn, false);
  const bool log = intArg(a, nIn + 1) != 0;
  for (int i = 0; a.ok() && i <= nIn; i++) {
    if (v[i].dtype != v[0].dtype || (v[i].dtype != kF32 && v[i].dtype != kF64))
      a.error(op + ": operands must be float32 or float64, all one dtype", true);
    requireSameShape(a, op.c_str(), v[0], v[i]);
  }
  if (a.ok() && v[0].nd < 1) a.error(op + ": expected at least one dim");
  if (a.ok()) settleOutput(a, nIn, v[nIn]);
  if (a.ok() && v[0].numel() > 0) {
    if (nIn == 1)
      softmax(v[0], v[1], log);
    else
      softmaxBackward(v[0], v[1], v[2], log);
  }
  return finish(a);
}

napi_value Softmax(napi_env env, napi_callback_info info) { return SoftmaxCall(env, info, 1); }
napi_value SoftmaxBackward(napi_env env, napi_callback_info info) { return SoftmaxCall(env, info, 2); }

/** Checks that a row kernel's views share x's shape, the outputs' dtypes, and names the op in errors. */
void requireRows(Args& a, const char* op, const View& x, const View& out, int outDt, const View* indices) {
  requireSameShape(a, op, x, out);
  if (a.ok() && out.dtype != outDt) a.error(std::string(op) + ": output has the wrong dtype", true);
  if (indices) {
    requireSameShape(a, op, x, *indices);
    if (a.ok() && indices->dtype != kI32) a.error(std::string(op) + ": indices must be int32", true);
  }
  if (a.ok() && x.nd < 1) a.error(std::string(op) + ": expected at least one dim");
}

/** scan(op, x, out[, indices]): x's, out's and the indices' views are in the descriptor. */
napi_value Scan(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const int op = intArg(a, 0);
  const View x = viewArg(a, 1);
  const View out = viewArg(a, 2, false);
  const bool withIndices = a.argc >= 4;
  View indices;
  if (withIndices) indices = viewArg(a, 3, false);
  if (a.ok() && (op < 0 || op >= scanop::kCount)) a.error("scan: unknown op code");
  requireRows(a, "scan", x, out, x.dtype, withIndices ? &indices : nullptr);
  if (a.ok()) settleOutput(a, 2, out);
  if (a.ok() && withIndices) settleOutput(a, 3, indices);
  if (a.ok() && x.numel() > 0) scan(op, x, out, withIndices ? &indices : nullptr);
  return finish(a);
}

/** sort(x, values, indices, descending): the three views are in the descriptor. */
napi_value Sort(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const View x = viewArg(a, 0);
  const View values = viewArg(a, 1, false);
  const View indices = viewArg(a, 2, false);
  const bool descending = intArg(a, 3) != 0;
  requireRows(a, "sort", x, values, x.dtype, &indices);
  if (a.ok()) settleOutput(a, 1, values);
  if (a.ok()) settleOutput(a, 2, indices);
  if (a.ok() && x.numel() > 0) sortRows(x, descending, values, indices);
  return finish(a);
}

napi_value Matmul(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const View x = viewArg(a, 0);
  const View y = viewArg(a, 1);
  const int dt = intArg(a, 3);
  const int nd = x.nd;
  if (a.ok() && (nd < 2 || y.nd != nd || x.shape[nd - 1] != y.shape[nd - 2]))
    a.error("matmul: operands must be [...B, M, K] and [...B, K, N]");
  for (int d = 0; a.ok() && d < nd - 2; d++)
    if (x.shape[d] != y.shape[d]) a.error("matmul: batch dims differ");
  int64_t n = 0;
  if (a.ok()) {
    n = y.shape[nd - 1];  // batch x M x N
    for (int d = 0; d < nd - 1; d++) n *= x.shape[d];
  }
  char* out = outArg(a, 2, dt, n);
  if (ready(a)) matmul(x, y, out, dt);
  return finish(a);
}

napi_value MaxPool(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const View x = viewArg(a, 0);
  // the geometry follows x's view in the descriptor: k, then k kernel sizes, strides, dilations
  const int k = a.ok() ? static_cast<int>(next(a)) : 0;
  int64_t geo[3][kMaxDims] = {};
  if (a.ok() && (k < 1 || k > x.nd)) a.error("maxPool: bad number of pooled dims");
  for (int r = 0; r < 3 && a.ok(); r++)
    for (int i = 0; i < k; i++) geo[r][i] = static_cast<int64_t>(next(a));
  int64_t windows = 1;
  for (int d = 0; a.ok() && d < x.nd; d++) {
    const int i = d - (x.nd - k);
    if (i < 0) {
      windows *= x.shape[d];
      continue;
    }
    const int64_t span = geo[2][i] * (geo[0][i] - 1) + 1;
    if (geo[0][i] < 1 || geo[1][i] < 1 || geo[2][i] < 1 || span > x.shape[d])
      a.error("maxPool: window does not fit in the pooled dims");
    else
      windows *= (x.shape[d] - span) / geo[1][i] + 1;
  }
  // two outputs, each written whole: settle the first before outArg takes up the second
  char* values = outArg(a, 1, x.dtype, windows);
  ready(a);
  char* positions = outArg(a, 2, kI32, windows);
  if (ready(a) && windows > 0)
    maxPool(x, k, geo[0], geo[1], geo[2], values, reinterpret_cast<int32_t*>(positions));
  return finish(a);
}

napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const int n = intArg(a, 0);
  if (a.ok() && n < 1) a.error("setNumThreads: expected a positive integer");
  if (a.ok()) setNumThreads(n);
  return finish(a);
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

namespace cr {
/** attention(q, k, v, mask | null, out, lse, scale, causal): fused attention (attention.cc). */
napi_value Attention(napi_env env, napi_callback_info info);
/** attentionBackward(q, k, v, mask | null, out, lse, gOut, gq, gk, gv, scale, causal) (attention.cc). */
napi_value AttentionBackward(napi_env env, napi_callback_info info);
}  // namespace cr

NAPI_MODULE_INIT() {
  using namespace cr;
  auto* inst = new Instance();
  napi_set_instance_data(
      env, inst, [](napi_env, void* data, void*) { delete static_cast<Instance*>(data); }, nullptr);
  const struct {
    const char* name;
    napi_callback cb;
  } fns[] = {{"init", Init},         {"copy", Copy},
             {"unary", Unary},       {"binary", Binary},
             {"activation", Activation}, {"activationBackward", ActivationBackward},
             {"where", Where},       {"axpy", Axpy},
             {"reduce", Reduce},     {"softmax", Softmax},
             {"softmaxBackward", SoftmaxBackward},
             {"scan", Scan},         {"sort", Sort},
             {"matmul", Matmul},     {"gather", Gather},
             {"scatterAdd", ScatterAdd}, {"scatterReduce", ScatterReduce},
             {"maxPool", MaxPool},
             {"batchNormStats", BatchNormStats}, {"batchNormForward", BatchNormForward},
             {"batchNormBackward", BatchNormBackward}, {"layerNormForward", LayerNormForward},
             {"layerNormBackward", LayerNormBackward},
             {"convDirect", ConvDirect},
             {"convWeightGrad", ConvWeightGrad},
             {"adamStep", AdamStep},
             {"lstmCell", LstmCell}, {"lstmCellBackward", LstmCellBackward},
             {"gruCell", GruCell},   {"gruCellBackward", GruCellBackward},
             {"free", Free},
             {"alloc", Alloc},       {"upload", Upload},
             {"write", Write},       {"read", Read},
             {"fill", Fill},         {"pooledBytes", PooledBytes},
             {"uploadStaged", UploadStaged}, {"readStaged", ReadStaged},
             {"setNumThreads", SetNumThreads}, {"getNumThreads", GetNumThreads},
             {"attention", Attention}, {"attentionBackward", AttentionBackward},
             {"simd", Simd},         {"simdPaths", SimdPaths}};
  for (const auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, inst, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  napi_value abi;
  napi_create_int32(env, kAbi, &abi);
  napi_set_named_property(env, exports, "abi", abi);
  napi_set_named_property(env, exports, "unaryOps", stringArray(env, kUnaryNames, kUnaryCount));
  napi_set_named_property(env, exports, "binaryOps", stringArray(env, kBinaryNames, kBinaryCount));
  napi_set_named_property(env, exports, "reduceOps", stringArray(env, kReduceNames, kReduceCount));
  napi_set_named_property(env, exports, "scanOps", stringArray(env, scanop::kNames, scanop::kCount));
  return exports;
}
