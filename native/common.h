// Shared vocabulary of the native kernels: dtype codes, JavaScript's typed-array store rules
// (so results match the reference backend bit for bit where it matters), strided operands and
// the walk that hands innermost runs of several views to tight loops.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "op-list.gen.h"

namespace cr {

/** Element types, numbered as the TypeScript side sends them. */
enum DType : int { kF32 = 0, kF64 = 1, kI32 = 2, kBool = 3 };

// The op codes and their names come from the op table through op-list.gen.h, so no list here
// can drift from it; the TypeScript side looks each code up by name in the exported arrays.
#define CR_ENUM_CONSTANT(constant, name) constant,
#define CR_NAME_STRING(constant, name) name,

/** Unary elementwise kernels, numbered in table order. */
enum UnaryOp : int { CR_UNARY_OPS(CR_ENUM_CONSTANT) kUnaryCount };
/** Their names, exported so the TypeScript side can map names to codes. */
inline constexpr const char* kUnaryNames[] = {CR_UNARY_OPS(CR_NAME_STRING)};

/** Binary elementwise kernels, numbered in table order. */
enum BinaryOp : int { CR_BINARY_OPS(CR_ENUM_CONSTANT) kBinaryCount };
/** Their names. */
inline constexpr const char* kBinaryNames[] = {CR_BINARY_OPS(CR_NAME_STRING)};

/** Reductions over trailing dims, numbered in table order. */
enum ReduceOp : int { CR_REDUCE_OPS(CR_ENUM_CONSTANT) kReduceCount };
/** Their names. */
inline constexpr const char* kReduceNames[] = {CR_REDUCE_OPS(CR_NAME_STRING)};

#undef CR_ENUM_CONSTANT
#undef CR_NAME_STRING

/** Bytes per element of each dtype. */
inline int elemSize(int dt) { return dt == kF32 || dt == kI32 ? 4 : dt == kF64 ? 8 : 1; }

/** The most dims a view may have. */
constexpr int kMaxDims = 32;

/** A number as a bool, as PyTorch casts one: 0 and -0 are false, everything else (NaN too) is true. */
inline bool truthy(double v) { return v != 0; }

/** ECMAScript ToInt32: what an Int32Array store does with a double (truncate, wrap mod 2^32). */
inline int32_t toInt32(double v) {
  if (v > -2147483649.0 && v < 2147483648.0) return static_cast<int32_t>(v);
  if (!std::isfinite(v)) return 0;
  double m = std::fmod(std::trunc(v), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

/** ECMAScript ToUint8: what a Uint8Array (bool) store does with a double. */
inline uint8_t toUint8(double v) { return static_cast<uint8_t>(static_cast<uint32_t>(toInt32(v))); }

/** A value of type S stored into an array of type D, with typed-array semantics. */
template <class D>
struct Store {
  static D from(double v) { return static_cast<D>(v); }
};
template <>
struct Store<int32_t> {
  static int32_t from(double v) { return toInt32(v); }
};
template <>
struct Store<uint8_t> {
  static uint8_t from(double v) { return toUint8(v); }
};

/** Loads element i of a buffer of dtype dt as a double. */
inline double loadAsDouble(const char* base, int dt, int64_t i) {
  switch (dt) {
    case kF32:
      return reinterpret_cast<const float*>(base)[i];
    case kF64:
      return reinterpret_cast<const double*>(base)[i];
    case kI32:
      return reinterpret_cast<const int32_t*>(base)[i];
    default:
      return reinterpret_cast<const uint8_t*>(base)[i];
  }
}

/** Stores a double into element i of a buffer of dtype dt (typed-array semantics). */
inline void storeDouble(char* base, int dt, int64_t i, double v) {
  switch (dt) {
    case kF32:
      reinterpret_cast<float*>(base)[i] = static_cast<float>(v);
      return;
    case kF64:
      reinterpret_cast<double*>(base)[i] = v;
      return;
    case kI32:
      reinterpret_cast<int32_t*>(base)[i] = toInt32(v);
      return;
    default:
      reinterpret_cast<uint8_t*>(base)[i] = toUint8(v);
      return;
  }
}

/** A strided view as the TypeScript side describes it, resolved to a base pointer. */
struct View {
  char* data = nullptr;  // start of the buffer (element 0), not of the view
  int dtype = kF32;
  int nd = 0;
  int64_t offset = 0;
  int64_t shape[kMaxDims] = {};
  int64_t strides[kMaxDims] = {};
  /** Number of elements the view covers. */
  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < nd; d++) n *= shape[d];
    return n;
  }
};

/** Up to this many operands are walked together (where: cond, a, b, out). */
constexpr int kMaxOperands = 4;

/** A common iteration shape with each operand's strides, mergeable dims folded together. */
struct Walk {
  int nd = 0;
  int nv = 0;
  int64_t shape[kMaxDims] = {};
  int64_t strides[kMaxOperands][kMaxDims] = {};
  int64_t base[kMaxOperands] = {};
  int64_t numel = 1;
  /** Stride of operand v along the innermost dim. */
  int64_t inner(int v) const { return strides[v][nd - 1]; }
};

/**
 * Builds a walk over `shape` for nv operands (strides[v], offsets[v]): size-1 dims are dropped
 * and adjacent dims that every operand steps through as one are merged, as the reference does.
 */
inline Walk coalesce(int nd, const int64_t* shape, int nv, const int64_t* const* strides, const int64_t* offsets) {
  Walk w;
  w.nv = nv;
  for (int v = 0; v < nv; v++) w.base[v] = offsets[v];
  for (int d = 0; d < nd; d++) {
    const int64_t size = shape[d];
    w.numel *= size;
    if (size == 1) continue;
    const int last = w.nd - 1;
    bool mergeable = last >= 0;
    for (int v = 0; v < nv && mergeable; v++) mergeable = w.strides[v][last] == strides[v][d] * size;
    if (mergeable) {
      w.shape[last] *= size;
      for (int v = 0; v < nv; v++) w.strides[v][last] = strides[v][d];
    } else {
      w.shape[w.nd] = size;
      for (int v = 0; v < nv; v++) w.strides[v][w.nd] = strides[v][d];
      w.nd++;
    }
  }
  if (w.nd == 0) {
    w.shape[0] = 1;
    for (int v = 0; v < nv; v++) w.strides[v][0] = 0;
    w.nd = 1;
  }
  return w;
}

/**
 * Calls run(offsets, n) for the innermost runs covering linear positions [begin, end) of the
 * walk, in row-major order; offsets[v] is where operand v's run starts. Splitting the linear
 * range is how elementwise kernels share work between threads.
 */
template <class F>
void walkRange(const Walk& w, int64_t begin, int64_t end, F&& run) {
  if (begin >= end) return;
  const int nd = w.nd;
  const int64_t inner = w.shape[nd - 1];
  int64_t idx[kMaxDims];
  int64_t row[kMaxOperands];
  int64_t rowIndex = begin / inner;
  int64_t col = begin % inner;
  for (int v = 0; v < w.nv; v++) row[v] = w.base[v];
  for (int d = nd - 2; d >= 0; d--) {
    idx[d] = rowIndex % w.shape[d];
    rowIndex /= w.shape[d];
    for (int v = 0; v < w.nv; v++) row[v] += idx[d] * w.strides[v][d];
  }
  int64_t pos = begin;
  int64_t offs[kMaxOperands];
  while (pos < end) {
    const int64_t n = inner - col < end - pos ? inner - col : end - pos;
    for (int v = 0; v < w.nv; v++) offs[v] = row[v] + col * w.strides[v][nd - 1];
    run(static_cast<const int64_t*>(offs), n);
    pos += n;
    col = 0;
    for (int d = nd - 2; d >= 0; d--) {
      for (int v = 0; v < w.nv; v++) row[v] += w.strides[v][d];
      if (++idx[d] < w.shape[d]) break;
      for (int v = 0; v < w.nv; v++) row[v] -= w.strides[v][d] * w.shape[d];
      idx[d] = 0;
    }
  }
}

}  // namespace cr
