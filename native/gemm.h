// Matrix products on raw pointers with arbitrary operand strides (the batched, dtype-aware
// entry point for views is matmul in matmul.cc).
#pragma once

#include <cstdint>

#include "common.h"

namespace cr {

/**
 * c (m x n; rows ldc apart, columns contiguous) = a (m x k; strides rsa, csa) @ b (k x n;
 * strides rsb, csb). `threaded` lets the product use the worker pool.
 */
template <class T>
void gemm(int64_t m, int64_t n, int64_t k, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
          int64_t csb, T* c, int64_t ldc, bool threaded);

/** Batched product of views a [...B, M, K] and b [...B, K, N] into contiguous out [...B, M, N]. */
void matmul(const View& a, const View& b, char* out, int dtype);

}  // namespace cr
