// Batched matmul over views: the batch dims are walked with each operand's own strides (0 where
// broadcast); every batch is one gemm on the inner two dims' strides, so transposed operands
// are read in place. Many small products share the pool a whole product per thread; int32 and
// bool products use the reference's float64-accumulating loop.

#include <vector>

#include "gemm.h"
#include "thread-pool.h"

namespace cr {
namespace {

// A product this small (multiply-adds) is not split across threads on its own; a batch of them
// is, once the whole batch is worth it (small operands mostly sit in the caller's cache).
constexpr double kSmallProduct = 1 << 21;
constexpr double kBatchThreads = 1 << 18;

/** Offsets of each batch's matrix, in row-major batch order. */
std::vector<int64_t> batchOffsets(const View& v, int nb, int64_t count) {
  std::vector<int64_t> out(static_cast<size_t>(count));
  int64_t idx[kMaxDims] = {};
  int64_t off = v.offset;
  for (int64_t b = 0; b < count; b++) {
    out[static_cast<size_t>(b)] = off;
    for (int d = nb - 1; d >= 0; d--) {
      off += v.strides[d];
      if (++idx[d] < v.shape[d]) break;
      off -= v.strides[d] * v.shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

template <class T>
void floatBatches(const View& a, const View& b, char* out, const std::vector<int64_t>& ao,
                  const std::vector<int64_t>& bo, int64_t M, int64_t N, int64_t K) {
  const int nd = a.nd;
  const int64_t rsa = a.strides[nd - 2], csa = a.strides[nd - 1];
  const int64_t rsb = b.strides[nd - 2], csb = b.strides[nd - 1];
  const T* A = reinterpret_cast<const T*>(a.data);
  const T* B = reinterpret_cast<const T*>(b.data);
  T* C = reinterpret_cast<T*>(out);
  const int64_t batches = static_cast<int64_t>(ao.size());
  auto one = [&](int64_t i, bool threaded) {
    gemm<T>(M, N, K, A + ao[static_cast<size_t>(i)], rsa, csa, B + bo[static_cast<size_t>(i)], rsb, csb,
            C + i * M * N, N, threaded);
  };
  const double flops = static_cast<double>(M) * N * K;
  if (batches > 1 && flops < kSmallProduct) {
    parallelFor(batches, flops * batches < kBatchThreads ? batches : 1, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; i++) one(i, false);
    });
    return;
  }
  for (int64_t i = 0; i < batches; i++) one(i, true);
}

}  // namespace

void matmul(const View& a, const View& b, char* out, int dtype) {
  const int nd = a.nd;
  const int nb = nd - 2;
  const int64_t M = a.shape[nd - 2], K = a.shape[nd - 1], N = b.shape[nd - 1];
  int64_t batches = 1;
  for (int d = 0; d < nb; d++) batches *= a.shape[d];
  if (batches == 0 || M == 0 || N == 0) return;
  const std::vector<int64_t> ao = batchOffsets(a, nb, batches), bo = batchOffsets(b, nb, batches);
  const bool same = a.dtype == dtype && b.dtype == dtype;
  if (same && dtype == kF32) return floatBatches<float>(a, b, out, ao, bo, M, N, K);
  if (same && dtype == kF64) return floatBatches<double>(a, b, out, ao, bo, M, N, K);
  const int64_t rsa = a.strides[nd - 2], csa = a.strides[nd - 1];
  const int64_t rsb = b.strides[nd - 2], csb = b.strides[nd - 1];
  for (int64_t bi = 0; bi < batches; bi++)
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) {
        double acc = 0;
        for (int64_t k = 0; k < K; k++)
          acc += loadAsDouble(a.data, a.dtype, ao[static_cast<size_t>(bi)] + i * rsa + k * csa) *
                 loadAsDouble(b.data, b.dtype, bo[static_cast<size_t>(bi)] + k * rsb + j * csb);
        storeDouble(out, dtype, (bi * M + i) * N + j, acc);
      }
}

}  // namespace cr
