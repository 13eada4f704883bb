// The addon's indexing functions: gather, scatterAdd and scatterReduce. Each checks its index
// operand against the data operand's shape before the kernel runs; an out-of-range index value
// stops the kernel and is reported with the op's name, the index, the dim and its size.

#include <cstring>
#include <string>

#include "calls.h"
#include "kernels.h"

namespace cr {
namespace {

/** Checks the index operand of gather and the scatters against the data operand's shape. */
void checkIndex(Args& a, const char* op, const View& data, int dim, const View& index) {
  if (!a.ok()) return;
  if (index.dtype != kI32) return a.error(std::string(op) + ": index must be int32", true);
  if (index.nd != data.nd) return a.error(std::string(op) + ": index must have as many dims as input");
  if (dim < 0 || dim >= data.nd) return a.error(std::string(op) + ": dim out of range");
  for (int d = 0; d < data.nd; d++)
    if (d != dim && index.shape[d] > data.shape[d])
      return a.error(std::string(op) + ": index is larger than the input at dim " + std::to_string(d));
}

/** Checks a scatter's index against dst and its src against the index. */
void checkScatter(Args& a, const char* op, const View& dst, int dim, const View& index, const View& src) {
  checkIndex(a, op, dst, dim, index);
  for (int d = 0; a.ok() && d < index.nd; d++)
    if (src.nd != index.nd || index.shape[d] > src.shape[d]) a.error(std::string(op) + ": src is smaller than index");
}

std::string outOfBounds(const char* op, int64_t bad, int dim, int64_t size) {
  return std::string(op) + ": index " + std::to_string(bad) + " is out of bounds for dimension " + std::to_string(dim) +
         " with size " + std::to_string(size);
}

}  // namespace

void Gather(Args& a) {
  const View x = viewArg(a, 0);
  const int dim = intArg(a, 1);
  const View index = viewArg(a, 2);
  checkIndex(a, "gather", x, dim, index);
  char* out = outArg(a, 3, x.dtype, index.numel());
  a.outBytes = -1;  // an out-of-range index stops the kernel part way: keep the zeros
  int64_t bad = 0;
  if (ready(a) && index.numel() > 0 && !gather(x, dim, index, out, &bad))
    a.error(outOfBounds("gather", bad, dim, x.shape[dim]));
}

void ScatterAdd(Args& a) {
  const View dst = viewArg(a, 0, false);
  const int dim = intArg(a, 1);
  const View index = viewArg(a, 2);
  const View src = viewArg(a, 3);
  checkScatter(a, "scatterAdd", dst, dim, index, src);
  if (!a.ok()) return;
  // a fresh zero buffer that dst covers whole gets its zeros from the kernel, slice by slice as it
  // scatters along dim > 0; otherwise from ensureZero's one pass
  Buffer* b = ownBuffer(a, 0);
  const bool zeroFirst =
      b && b->zeroPending && b->data && dim > 0 && index.numel() > 0 && coversBuffer(dst, *b);
  if (b && !zeroFirst) ensureZero(b);
  if (b) b->zeroPending = false;
  int64_t bad = 0;
  if (index.numel() > 0 && !scatterAdd(dst.data + dst.offset * elemSize(dst.dtype), dst.dtype, dst.nd, dst.shape, dim,
                                       index, src, &bad, zeroFirst)) {
    // what the kernel did not reach holds no zeros yet
    if (zeroFirst) std::memset(dst.data, 0, static_cast<size_t>(b->bytes));
    a.error(outOfBounds("scatterAdd", bad, dim, dst.shape[dim]));
  }
}

void ScatterReduce(Args& a) {
  const View dst = viewArg(a, 0, false);
  const int dim = intArg(a, 1);
  const View index = viewArg(a, 2);
  const View src = viewArg(a, 3);
  const int reduce = intArg(a, 4);
  const bool includeSelf = intArg(a, 5) != 0;
  checkScatter(a, "scatterReduce", dst, dim, index, src);
  if (a.ok() && src.dtype != dst.dtype) a.error("scatterReduce: src and dst dtypes differ", true);
  if (a.ok() && (reduce < 0 || reduce > 4)) a.error("scatterReduce: unknown reduction");
  if (!a.ok()) return;
  // dst holds values the reduction reads: its deferred zeros are written first
  if (Buffer* b = ownBuffer(a, 0)) {
    ensureZero(b);
    b->zeroPending = false;
  }
  int64_t bad = 0;
  if (index.numel() > 0 && !scatterReduce(dst.data + dst.offset * elemSize(dst.dtype), dst.dtype, dst.nd, dst.shape,
                                          dim, index, src, reduce, includeSelf, &bad))
    a.error(outOfBounds("scatterReduce", bad, dim, dst.shape[dim]));
}

}  // namespace cr
