// The kernel calls of the core ops (elementwise, reductions, softmax, scans, sorts, products,
// pooling, writes and fills) and kCalls, the one list of every kernel call that the transports
// bind. Each call checks its views against its buffers and each other before any kernel touches
// memory, and records the first failure in its Args for the transport to report.

#include <cstring>
#include <string>

#include "calls.h"
#include "gemm.h"
#include "kernels.h"
#include "thread-pool.h"

namespace cr {
namespace {

template <class T>
void fillWith(char* data, int64_t offset, int64_t n, T v) {
  T* p = reinterpret_cast<T*>(data) + offset;
  for (int64_t i = 0; i < n; i++) p[i] = v;
}

}  // namespace

void Copy(Args& a) {
  const View src = viewArg(a, 0);
  const View dst = viewArg(a, 1, false);
  requireSameShape(a, "copy", src, dst);
  // a dense copy into the whole buffer writes every byte; anything else needs the zeros
  if (a.ok()) settleOutput(a, 1, dst);
  if (a.ok() && src.numel() > 0) copyView(src, dst);
}

void Unary(Args& a) {
  const int op = intArg(a, 0);
  const View x = viewArg(a, 1);
  const int outDt = intArg(a, 3);
  char* out = outArg(a, 2, outDt, x.numel());
  if (op < 0 || op >= kUnaryCount) a.error("unary: unknown op code");
  if (ready(a) && x.numel() > 0) unary(op, x, out, outDt);
}

void Binary(Args& a) {
  const int op = intArg(a, 0);
  const View x = viewArg(a, 1);
  const View y = viewArg(a, 2);
  const int outDt = intArg(a, 4);
  char* out = outArg(a, 3, outDt, x.numel());
  if (op < 0 || op >= kBinaryCount) a.error("binary: unknown op code");
  requireSameShape(a, "binary", x, y);
  if (ready(a) && x.numel() > 0) binary(op, x, y, out, outDt);
}

void Axpy(Args& a) {
  const double alpha = numArg(a, 0, "axpy: expected a number alpha");
  const View x = viewArg(a, 1);
  // out is read as well as written: it is loaded as an input, so its deferred zeros are real
  const View out = viewArg(a, 2);
  requireSameShape(a, "axpy", x, out);
  if (a.ok() && out.dtype != x.dtype) a.error("axpy: x and out must share a dtype");
  if (a.ok() && x.numel() > 0) axpy(alpha, x, out);
}

void Where(Args& a) {
  const View c = viewArg(a, 0);
  const View x = viewArg(a, 1);
  const View y = viewArg(a, 2);
  const int outDt = intArg(a, 4);
  char* out = outArg(a, 3, outDt, x.numel());
  requireSameShape(a, "where", c, x);
  requireSameShape(a, "where", x, y);
  if (ready(a) && x.numel() > 0) where(c, x, y, out, outDt);
}

void Reduce(Args& a) {
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
}

namespace {

/**
 * softmax(x, out, log) with nIn = 1, softmaxBackward(g, y, out, log) with nIn = 2: nIn input views
 * and the output's, float views of one shape and dtype with at least one dim.
 */
void SoftmaxCall(Args& a, int nIn) {
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
}

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

}  // namespace

void Softmax(Args& a) { SoftmaxCall(a, 1); }
void SoftmaxBackward(Args& a) { SoftmaxCall(a, 2); }

/** scan(op, x, out[, indices]): x's, out's and the indices' views are in the descriptor. */
void Scan(Args& a) {
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
}

/** sort(x, values, indices, descending): the three views are in the descriptor. */
void Sort(Args& a) {
  const View x = viewArg(a, 0);
  const View values = viewArg(a, 1, false);
  const View indices = viewArg(a, 2, false);
  const bool descending = intArg(a, 3) != 0;
  requireRows(a, "sort", x, values, x.dtype, &indices);
  if (a.ok()) settleOutput(a, 1, values);
  if (a.ok()) settleOutput(a, 2, indices);
  if (a.ok() && x.numel() > 0) sortRows(x, descending, values, indices);
}

void Matmul(Args& a) {
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
}

void MaxPool(Args& a) {
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
}

void SetNumThreads(Args& a) {
  const int n = intArg(a, 0);
  if (a.ok() && n < 1) a.error("setNumThreads: expected a positive integer");
  if (a.ok()) setNumThreads(n);
}

void Write(Args& a) {
  size_t len = 0, bytes = 0;
  char* dst = bufferArg(a, 0, &len, false);
  const char* src = bytesArg(a, 1, &bytes);
  if (a.ok() && bytes > len) a.error("write: the data is larger than the buffer (was it disposed?)");
  if (a.ok()) {
    a.out = handleArg(a, 0);
    a.outBytes = static_cast<int64_t>(bytes);
    ready(a);
  }
  if (a.ok() && bytes > 0) std::memcpy(dst, src, bytes);
}

void Fill(Args& a) {
  size_t len = 0;
  char* data = bufferArg(a, 0, &len, false);
  const int dt = intArg(a, 1);
  const char* const notNumbers = "fill: expected offset, count and value";
  const double offset = numArg(a, 2, notNumbers), n = numArg(a, 3, notNumbers), value = numArg(a, 4, notNumbers);
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
}


// The names are the TypeScript side's (src/backend/native/addon.ts).
const Call kCalls[] = {
    {"copy", Copy},
    {"unary", Unary},
    {"binary", Binary},
    {"activation", Activation},
    {"activationBackward", ActivationBackward},
    {"where", Where},
    {"axpy", Axpy},
    {"reduce", Reduce},
    {"softmax", Softmax},
    {"softmaxBackward", SoftmaxBackward},
    {"scan", Scan},
    {"sort", Sort},
    {"matmul", Matmul},
    {"gather", Gather},
    {"scatterAdd", ScatterAdd},
    {"scatterReduce", ScatterReduce},
    {"maxPool", MaxPool},
    {"batchNormStats", BatchNormStats},
    {"batchNormForward", BatchNormForward},
    {"batchNormTrain", BatchNormTrain},
    {"batchNormBackward", BatchNormBackward},
    {"layerNormForward", LayerNormForward},
    {"layerNormBackward", LayerNormBackward},
    {"convDirect", ConvDirect},
    {"convWeightGrad", ConvWeightGrad},
    {"adamStep", AdamStep},
    {"lstmCell", LstmCell},
    {"lstmCellBackward", LstmCellBackward},
    {"gruCell", GruCell},
    {"gruCellBackward", GruCellBackward},
    {"attention", Attention},
    {"attentionBackward", AttentionBackward},
    {"write", Write},
    {"fill", Fill},
    {"setNumThreads", SetNumThreads},
};

const int kCallCount = static_cast<int>(sizeof(kCalls) / sizeof(kCalls[0]));

}  // namespace cr
