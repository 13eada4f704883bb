// What the convolution drivers (conv.cc, conv-winograd.cc) share: per-thread scratch arrays, which
// stay allocated between calls so a training loop does not fault in fresh pages every step, and
// the split of a batch into chunks of images for the weight gradients.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "thread-pool.h"

namespace cr {
namespace conv {

// Scratch this large is given back after the call instead of kept for the next one.
inline constexpr size_t kKeptScratchBytes = size_t{64} << 20;

/** A grow-only per-thread scratch array of T. */
template <class T>
inline T* scratch(std::vector<T>& v, int64_t n) {
  if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
  return v.data();
}

/** Frees a scratch array that outgrew what is worth keeping (one huge convolution must not pin its copy). */
template <class T>
inline void trim(std::vector<T>& v) {
  if (v.capacity() * sizeof(T) > kKeptScratchBytes) std::vector<T>().swap(v);
}

/**
 * Images per chunk for n images, at most `most` a chunk, in a multiple of the threads' count of
 * equal chunks, so that no thread ends with one more.
 */
inline int64_t imageChunk(int64_t n, int64_t most) {
  const int64_t threads = getNumThreads();
  int64_t chunks = (n + most - 1) / most;
  chunks = std::min<int64_t>(n, (chunks + threads - 1) / threads * threads);
  return (n + chunks - 1) / chunks;
}

}  // namespace conv
}  // namespace cr
