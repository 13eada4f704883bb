// What the WebAssembly module needs from beneath its C library: wasi-libc's allocator is built
// without threads, yet the module's workers allocate too (a kernel's per-thread scratch), so the
// linker routes every allocation entry point through these wrappers, which hold one lock.

#include <cstddef>

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
