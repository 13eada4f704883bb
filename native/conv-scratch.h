// The convolution drivers' per-thread scratch arrays (conv.cc, conv-winograd.cc): they stay
// allocated between calls, so a training loop does not fault in fresh pages every step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

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

}  // namespace conv
}  // namespace cr
