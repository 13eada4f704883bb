// The convolution drivers' shared parts (conv.cc, conv-winograd.cc): per-thread scratch arrays
// that stay allocated between calls, so a training loop does not fault in fresh pages every step,
// and the zero-padded copy of the input.
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

#include "common.h"
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

/** x [N, C, H, W] (any strides) into xp [N·C][hp][wp] with x's (0, 0) at (top, left), zeros around. */
template <class T>
inline void padInput(const View& x, int64_t top, int64_t left, int64_t hp, int64_t wp, T* xp) {
  const T* src = reinterpret_cast<const T*>(x.data) + x.offset;
  const int64_t c = x.shape[1], h = x.shape[2], w = x.shape[3];
  const int64_t sn = x.strides[0], sc = x.strides[1], sh = x.strides[2], sw = x.strides[3];
  parallelFor(x.shape[0] * c, (1 << 14) / (hp * wp) + 1, [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; p++) {
      const T* plane = src + (p / c) * sn + (p % c) * sc;
      T* dst = xp + p * hp * wp;
      for (int64_t i = 0; i < hp; i++) {
        T* row = dst + i * wp;
        const int64_t si = i - top;
        if (si < 0 || si >= h) {
          std::memset(row, 0, sizeof(T) * wp);
          continue;
        }
        const T* srow = plane + si * sh;
        // columns [j0, j1) come from the input row, the rest are padding
        const int64_t j0 = std::clamp<int64_t>(left, 0, wp), j1 = std::clamp<int64_t>(left + w, j0, wp);
        std::fill(row, row + j0, T(0));
        if (sw == 1) std::memcpy(row + j0, srow + (j0 - left), sizeof(T) * (j1 - j0));
        else
          for (int64_t j = j0; j < j1; j++) row[j] = srow[(j - left) * sw];
        std::fill(row + j1, row + wp, T(0));
      }
    }
  });
}

}  // namespace conv
}  // namespace cr
