// The lock for the addon's short critical sections (the buffer pool, a reduction's final sum):
// std::mutex where the C++ library has threads, a spin lock on WebAssembly, whose C++ library is
// built without them while the module still runs its kernels on several workers.
#pragma once

#include <atomic>
#include <mutex>

namespace cr {

#if defined(__wasm__)
/** A spin lock: the sections it guards are a few hundred instructions at most. */
class Mutex {
 public:
  void lock() {
    while (held_.exchange(true, std::memory_order_acquire))
      while (held_.load(std::memory_order_relaxed)) {
      }
  }
  bool try_lock() { return !held_.exchange(true, std::memory_order_acquire); }
  void unlock() { held_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> held_{false};
};
#else
using Mutex = std::mutex;
#endif

/** Holds a Mutex for a scope. */
using Lock = std::lock_guard<Mutex>;

}  // namespace cr
