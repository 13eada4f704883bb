// What the WebAssembly module needs from beneath its C and C++ libraries, which are built without
// threads while the module runs kernels on several: wasi-libc's allocator, whose every entry point
// the linker routes through wrappers that hold one lock (workers allocate a kernel's per-thread
// scratch); thread-local destructors; and the guards of function-local statics.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "lock.h"

namespace {
cr::Mutex heapLock;
}  // namespace

extern "C" {
void* __real_malloc(size_t n);
void* __real_calloc(size_t count, size_t n);
void* __real_realloc(void* p, size_t n);
void* __real_aligned_alloc(size_t alignment, size_t n);
int __real_posix_memalign(void** out, size_t alignment, size_t n);
void __real_free(void* p);

void* __wrap_malloc(size_t n) {
  const cr::Lock lock(heapLock);
  return __real_malloc(n);
}
void* __wrap_calloc(size_t count, size_t n) {
  const cr::Lock lock(heapLock);
  return __real_calloc(count, n);
}
void* __wrap_realloc(void* p, size_t n) {
  const cr::Lock lock(heapLock);
  return __real_realloc(p, n);
}
void* __wrap_aligned_alloc(size_t alignment, size_t n) {
  const cr::Lock lock(heapLock);
  return __real_aligned_alloc(alignment, n);
}
int __wrap_posix_memalign(void** out, size_t alignment, size_t n) {
  const cr::Lock lock(heapLock);
  return __real_posix_memalign(out, alignment, n);
}
void __wrap_free(void* p) {
  const cr::Lock lock(heapLock);
  __real_free(p);
}
}

// Thread-local scratch (a kernel's per-thread buffers) registers its destructor here. The module's
// threads never end (workers run for the life of the page or process), so none is ever run.
extern "C" int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }

// Function-local statics (the kernel table isa() picks, a pool) are guarded by these. libc++abi's
// own, built without threads, takes a second thread's first call, made while the first thread is
// still initialising, for recursion and aborts; these let the second thread wait instead. A guard
// is 64 bits: byte 0 says the static is ready (compiled code tests it inline), byte 1 that a
// thread is initialising it.
namespace {
std::atomic<uint8_t>& readyByte(uint64_t* guard) { return reinterpret_cast<std::atomic<uint8_t>*>(guard)[0]; }
std::atomic<uint8_t>& busyByte(uint64_t* guard) { return reinterpret_cast<std::atomic<uint8_t>*>(guard)[1]; }
}  // namespace

extern "C" int __cxa_guard_acquire(uint64_t* guard) {
  for (;;) {
    if (readyByte(guard).load(std::memory_order_acquire)) return 0;
    uint8_t idle = 0;
    if (busyByte(guard).compare_exchange_weak(idle, 1, std::memory_order_acquire)) {
      if (!readyByte(guard).load(std::memory_order_acquire)) return 1;  // the caller initialises
      busyByte(guard).store(0, std::memory_order_release);
      return 0;
    }
    while (busyByte(guard).load(std::memory_order_acquire)) {
    }
  }
}

extern "C" void __cxa_guard_release(uint64_t* guard) {
  readyByte(guard).store(1, std::memory_order_release);
  busyByte(guard).store(0, std::memory_order_release);
}

extern "C" void __cxa_guard_abort(uint64_t* guard) { busyByte(guard).store(0, std::memory_order_release); }
