// The Node-API surface of the addon. Tensor memory is the addon's own (buffers.cc) and JS holds
// it through napi Externals with "basic" finalizers, which Node runs during garbage collection
// itself (ordinary finalizers, and those of external ArrayBuffers, wait for the event loop to
// turn, which a synchronous training loop never lets happen). Geometry arrives through one
// shared Float64Array, written by the TypeScript side before each call, instead of as JS
// objects: reading properties through Node-API would cost more than most kernels. Every view is
// checked against its buffer's length before any kernel touches memory.

#include <node_api.h>

#include <cmath>
#include <cstring>
#include <string>

#include "buffers.h"
#include "gemm.h"
#include "isa.h"
#include "kernels.h"
#include "thread-pool.h"

namespace cr {
namespace {

// Bumped whenever the descriptor layout or a function's arguments change, so a stale build is
// refused by the TypeScript side instead of misreading its calls.
constexpr int kAbi = 2;

struct Instance {
  napi_ref descRef = nullptr;
  const double* desc = nullptr;
  size_t descLen = 0;
};

/** A failed check: the message thrown as a RangeError (or TypeError). */
struct Fail {
  std::string msg;
  bool type = false;
};

struct Args {
  napi_env env;
  napi_value argv[6];
  size_t argc = 6;
  Instance* inst = nullptr;
  size_t pos = 0;  // read position in the descriptor
  Buffer* out = nullptr;  // the output buffer, settled by ready()
  int64_t outBytes = 0;   // bytes the kernel will write to it
  Fail fail;
  bool ok() const { return fail.msg.empty(); }
  void error(std::string m, bool isType = false) {
    if (ok()) fail = Fail{std::move(m), isType};
  }
};

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
 * The bytes of handle argument i; a disposed buffer reads as empty, so any view of it fails its
 * bounds check. Inputs get their deferred zeros written; outputs are settled by ready().
 */
char* bufferArg(Args& a, size_t i, size_t* len, bool input = true) {
  *len = 0;
  Buffer* b = handleArg(a, i);
  if (!b || !b->data) return nullptr;
  if (input) ensureZero(b);
  *len = static_cast<size_t>(b->bytes);
  return b->data;
}

double next(Args& a) {
  if (!a.inst->desc || a.pos >= a.inst->descLen) {
    a.error("view descriptor overflow");
    return 0;
  }
  return a.inst->desc[a.pos++];
}

/** Reads the next view from the descriptor and checks that it stays inside buffer argument i. */
View viewArg(Args& a, size_t i, bool input = true) {
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
    a.out = handleArg(a, i);
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
  return nullptr;
}

napi_value Copy(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const View src = viewArg(a, 0);
  const View dst = viewArg(a, 1, false);
  requireSameShape(a, "copy", src, dst);
  if (a.ok()) {
    // a dense copy into the whole buffer writes every byte; anything else needs the zeros
    Buffer* b = handleArg(a, 1);
    bool whole = dst.offset == 0 && dst.numel() * elemSize(dst.dtype) == b->bytes;
    for (int64_t d = dst.nd - 1, s = 1; whole && d >= 0; s *= dst.shape[d], d--)
      whole = dst.shape[d] == 1 || dst.strides[d] == s;
    if (whole)
      b->zeroPending = false;
    else
      ensureZero(b);
  }
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

/** Checks the index operand of gather/scatterAdd against the data operand's shape. */
void checkIndex(Args& a, const char* op, const View& data, int dim, const View& index) {
  if (!a.ok()) return;
  if (index.dtype != kI32) return a.error(std::string(op) + ": index must be int32", true);
  if (index.nd != data.nd) return a.error(std::string(op) + ": index must have as many dims as input");
  if (dim < 0 || dim >= data.nd) return a.error(std::string(op) + ": dim out of range");
  for (int d = 0; d < data.nd; d++)
    if (d != dim && index.shape[d] > data.shape[d])
      return a.error(std::string(op) + ": index is larger than the input at dim " + std::to_string(d));
}

std::string outOfBounds(const char* op, int64_t bad, int dim, int64_t size) {
  return std::string(op) + ": index " + std::to_string(bad) + " is out of bounds for dimension " + std::to_string(dim) +
         " with size " + std::to_string(size);
}

napi_value Gather(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const View x = viewArg(a, 0);
  const int dim = intArg(a, 1);
  const View index = viewArg(a, 2);
  checkIndex(a, "gather", x, dim, index);
  char* out = outArg(a, 3, x.dtype, index.numel());
  a.outBytes = -1;  // an out-of-range index stops the kernel part way: keep the zeros
  int64_t bad = 0;
  if (ready(a) && index.numel() > 0 && !gather(x, dim, index, out, &bad))
    a.error(outOfBounds("gather", bad, dim, x.shape[dim]));
  return finish(a);
}

napi_value ScatterAdd(napi_env env, napi_callback_info info) {
  Args a;
  if (!load(env, info, a)) return nullptr;
  const View dst = viewArg(a, 0);
  const int dim = intArg(a, 1);
  const View index = viewArg(a, 2);
  const View src = viewArg(a, 3);
  checkIndex(a, "scatterAdd", dst, dim, index);
  for (int d = 0; a.ok() && d < index.nd; d++)
    if (src.nd != index.nd || index.shape[d] > src.shape[d]) a.error("scatterAdd: src is smaller than index");
  int64_t bad = 0;
  if (a.ok() && index.numel() > 0 && !scatterAdd(dst.data + dst.offset * elemSize(dst.dtype), dst.dtype, dst.nd,
                                                 dst.shape, dim, index, src, &bad))
    a.error(outOfBounds("scatterAdd", bad, dim, dst.shape[dim]));
  return finish(a);
}

void finalizeBuffer(node_api_basic_env env, void* data, void*) {
  auto* b = static_cast<Buffer*>(data);
  if (b->data) napi_adjust_external_memory(env, -b->bytes, nullptr);
  deleteBuffer(b);
}

/** Wraps a new buffer in an External that frees it when collected; tells V8 the memory it holds. */
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
  napi_adjust_external_memory(a.env, b->bytes, nullptr);
  return out;
}

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

template <class T>
void fillWith(char* data, int64_t offset, int64_t n, T v) {
  T* p = reinterpret_cast<T*>(data) + offset;
  for (int64_t i = 0; i < n; i++) p[i] = v;
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
    napi_adjust_external_memory(env, -b->bytes, nullptr);
    releaseMemory(b);
  }
  return finish(a);
}

napi_value PooledBytes(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_double(env, static_cast<double>(pooledBytes()), &v);
  return v;
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
             {"where", Where},       {"reduce", Reduce},
             {"matmul", Matmul},     {"gather", Gather},
             {"scatterAdd", ScatterAdd}, {"free", Free},
             {"alloc", Alloc},       {"upload", Upload},
             {"write", Write},       {"read", Read},
             {"fill", Fill},         {"pooledBytes", PooledBytes},
             {"setNumThreads", SetNumThreads}, {"getNumThreads", GetNumThreads},
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
  return exports;
}
