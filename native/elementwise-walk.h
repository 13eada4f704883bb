// How the elementwise kernels (elementwise.cc: unary and binary; copy.cc: copy, where and axpy)
// share a walk between threads: by linear position for long runs, by blocks of the two innermost
// dims for short ones, and only along dims that keep an output's slices apart.
#pragma once

#include <algorithm>
#include <cstdint>

#include "common.h"
#include "thread-pool.h"

namespace cr {

// Elements per part below which splitting does not pay. Cheap ops are memory-bound, and their
// operands usually sit in the calling core's cache (just produced): a second core helps from
// about a convolution's activations up (measured on the CNN step: 1 << 16 beat 1 << 18 by ~8%
// at two threads; 1 << 15 slowed the MLP's 32k-element activations). Transcendental ones cost
// tens of cycles per element.
constexpr int64_t kCheapGrain = 1 << 16;
constexpr int64_t kCostlyGrain = 1 << 11;

/** A contiguous stride list for `shape`. */
inline void contiguousStrides(int nd, const int64_t* shape, int64_t* out) {
  int64_t s = 1;
  for (int d = nd - 1; d >= 0; d--) {
    out[d] = s;
    s *= shape[d] > 1 ? shape[d] : 1;
  }
}

/** The walk over view x and a contiguous buffer of its shape (offsets: x's, then the buffer's). */
inline Walk walkWithDense(const View& x) {
  int64_t os[kMaxDims];
  contiguousStrides(x.nd, x.shape, os);
  const int64_t* strides[2] = {x.strides, os};
  const int64_t offsets[2] = {x.offset, 0};
  return coalesce(x.nd, x.shape, 2, strides, offsets);
}

/** Elements in one position of the walk's first `lead` dims (dims [lead, end) multiplied out). */
inline int64_t sliceSize(const Walk& w, int lead, int end) {
  int64_t n = 1;
  for (int d = std::max(lead, 0); d < std::min(end, kMaxDims); d++) n *= w.shape[d];
  return n;
}

/**
 * Runs `run` over the whole walk, split across threads when there is enough work. A thread's part
 * is whole slices of the first `splitDims` dims (all dims by default: any linear range).
 */
template <class F>
void forAll(const Walk& w, int64_t grain, F&& run, int splitDims = kMaxDims) {
  if (w.numel == 0) return;
  const int64_t unit = sliceSize(w, splitDims, w.nd);
  parallelFor(w.numel / unit, std::max<int64_t>(1, grain / unit),
              [&](int64_t b, int64_t e) { walkRange(w, b * unit, e * unit, run); });
}

/**
 * How many leading dims of the walk give operand v disjoint slices: each such dim's stride steps
 * past everything the later dims reach. All of them when v names no element twice.
 */
inline int disjointLead(const Walk& w, int v) {
  int64_t span = 0;  // how far dims [d + 1, nd) reach
  int lead = w.nd;
  for (int d = w.nd - 1; d >= 0; d--) {
    const int64_t s = w.strides[v][d] < 0 ? -w.strides[v][d] : w.strides[v][d];
    if (s <= span) lead = d;
    span += s * (w.shape[d] - 1);
  }
  return lead;
}

/**
 * For walks whose innermost runs are short (windows of a convolution): calls block(offsets) once
 * per position of the outer dims, and the caller loops over the two innermost dims itself in a
 * tight double loop, instead of taking one call per short run. Threads take whole slices of the
 * first `splitDims` dims, as in forAll.
 */
template <class F>
void forBlocks(const Walk& w, int64_t grain, F&& block, int splitDims = kMaxDims) {
  const int nd = w.nd;
  Walk outer = w;
  outer.nd = nd - 2;
  outer.numel = w.numel / (w.shape[nd - 2] * w.shape[nd - 1]);
  const int64_t unit = sliceSize(w, splitDims, nd - 2);
  if (outer.nd == 0) {
    outer.nd = 1;
    outer.shape[0] = 1;
    for (int v = 0; v < w.nv; v++) outer.strides[v][0] = 0;
  }
  const int64_t blockSize = w.shape[nd - 2] * w.shape[nd - 1] * unit;
  parallelFor(outer.numel / unit, std::max<int64_t>(1, grain / blockSize), [&](int64_t b, int64_t e) {
    walkRange(outer, b * unit, e * unit, [&](const int64_t* off, int64_t n) {
      int64_t at[kMaxOperands];
      for (int64_t q = 0; q < n; q++) {
        for (int v = 0; v < w.nv; v++) at[v] = off[v] + q * outer.inner(v);
        block(static_cast<const int64_t*>(at));
      }
    });
  });
}

/** Whether a walk's runs are short enough for forBlocks. */
inline bool shortRuns(const Walk& w) { return w.nd >= 2 && w.shape[w.nd - 1] < 64 && w.numel >= 256; }

}  // namespace cr
