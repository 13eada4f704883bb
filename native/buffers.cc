// The buffer pool: blocks are grouped in size classes four per power of two (at most 25%
// slack); a released block waits in its class's free list until the next request of that class.
// The cache is capped, so a burst of large tensors does not pin memory forever.

#include "buffers.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace cr {
namespace {

// The most bytes kept cached for reuse; beyond this, released blocks go back to the system.
constexpr int64_t kCacheCap = int64_t{512} << 20;
constexpr int kClasses = 4 * 48;

struct Pool {
  std::mutex m;
  std::vector<void*> free[kClasses];
  int64_t cached = 0;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: finalizers may run during process teardown
  return *p;
}

/** The size class of `bytes` and that class's block size (>= bytes, 64-byte multiple). */
int classOf(int64_t bytes, int64_t* blockBytes) {
  int64_t size = 64;
  int cls = 0;
  // classes: 64, 80, 96, 112, 128, 160, ... (four steps per doubling)
  while (true) {
    for (int q = 0; q < 4; q++, cls++) {
      const int64_t b = size + q * (size / 4);
      if (b >= bytes) {
        *blockBytes = b;
        return cls;
      }
    }
    size *= 2;
    if (cls >= kClasses) break;
  }
  *blockBytes = (bytes + 63) & ~int64_t{63};
  return -1;  // too large to pool
}

void* allocBlock(int64_t bytes, int64_t* blockBytes, int* cls) {
  *cls = classOf(bytes, blockBytes);
  if (*cls >= 0) {
    Pool& p = pool();
    std::lock_guard<std::mutex> lk(p.m);
    auto& list = p.free[*cls];
    if (!list.empty()) {
      void* block = list.back();
      list.pop_back();
      p.cached -= *blockBytes;
      return block;
    }
  }
  return std::aligned_alloc(64, static_cast<size_t>(*blockBytes));
}

void freeBlock(void* block, int64_t bytes) {
  int64_t blockBytes = 0;
  const int cls = classOf(bytes, &blockBytes);
  if (cls >= 0) {
    Pool& p = pool();
    std::lock_guard<std::mutex> lk(p.m);
    if (p.cached + blockBytes <= kCacheCap) {
      p.free[cls].push_back(block);
      p.cached += blockBytes;
      return;
    }
  }
  std::free(block);
}

}  // namespace

Buffer* newBuffer(int dtype, int64_t bytes, bool zero) {
  auto* b = new Buffer{kBufferMagic, dtype, nullptr, bytes, zero};
  if (bytes > 0) {
    int64_t blockBytes = 0;
    int cls = 0;
    b->data = static_cast<char*>(allocBlock(bytes, &blockBytes, &cls));
  }
  return b;
}

void ensureZero(Buffer* b) {
  if (b->zeroPending && b->data) std::memset(b->data, 0, static_cast<size_t>(b->bytes));
  b->zeroPending = false;
}

void releaseMemory(Buffer* b) {
  if (b->data) freeBlock(b->data, b->bytes);
  b->data = nullptr;
}

void deleteBuffer(Buffer* b) {
  releaseMemory(b);
  b->magic = 0;
  delete b;
}

int64_t pooledBytes() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lk(p.m);
  return p.cached;
}

}  // namespace cr
