// The buffer pool: blocks are grouped in size classes four per power of two (at most 25%
// slack); a released block waits in its class's free list until the next request of that class.
//
// In JS a step's dropped activations come back only when the collector runs, and V8 runs it when
// the memory reported to it grows (see takeReportedBytesChange). V8 is told of the live blocks
// and of at most kReportedCache of the cached ones: beyond that, a cached block counts as given
// back when released and as fresh when taken again. So a collection comes as often as if the
// pool were capped there, but the blocks it returns are all kept for the steps after it, which
// reuse them warm instead of faulting in fresh pages. The cache's real bound follows what the
// program recently had live at once, and blocks a class kept through a whole epoch of
// allocations without needing them go back to the system: a burst of large tensors does not pin
// memory for good.

#include "buffers.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "lock.h"
#include "thread-pool.h"

#if (defined(__unix__) || defined(__APPLE__)) && !defined(__wasm__)
#include <sys/mman.h>
#define CR_HAVE_MMAP 1
#endif

namespace cr {
namespace {

// Blocks this large are mapped directly, so releasing one beyond the cache returns it to the
// system at once instead of leaving a hole in malloc's heap (RSS that never comes back).
[[maybe_unused]] constexpr int64_t kMapBytes = int64_t{1} << 20;
// The cached bytes V8 is told of; the cache may always hold this much, and more while the live
// blocks recently took more.
constexpr int64_t kReportedCache = int64_t{128} << 20;
// An epoch (see Pool::lowWater) ends once this many bytes have been handed out: several
// collections' worth (a collection comes after about kReportedCache and 64 MB more of garbage),
// so that blocks a step needs again only after the next collection are not given back in between,
// while a burst's blocks go back soon after it.
constexpr int64_t kEpochBytes = 4 * kReportedCache;
constexpr int kClasses = 4 * 48;
// Bytes of deferred zeros per thread's part: below this, one thread writes them.
constexpr int64_t kZeroGrain = int64_t{1} << 17;

struct Pool {
  Mutex m;
  std::vector<void*> free[kClasses];
  // when each class last gave or took a block (a counter of pool events): a full cache makes
  // room by dropping the blocks of the class unused longest
  uint64_t lastUse[kClasses] = {};
  uint64_t clock = 0;
  int64_t cached = 0;
  int64_t cachedReported = 0;  // the part of `cached` V8 is told of (at most kReportedCache)
  // bytes handed out and not yet released; the most of them this epoch and in the one before
  int64_t live = 0, peak = 0, lastPeak = 0;
  // the fewest blocks each free list held this epoch: that many were never needed in it
  size_t lowWater[kClasses] = {};
  int64_t handedOut = 0;  // bytes, in this epoch
  std::vector<Buffer*> headers;  // recycled Buffer structs: one malloc less per tensor
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: finalizers may run during process teardown
  return *p;
}

/** The most bytes the cache may hold now: kReportedCache, or the recent peak of live bytes. */
int64_t cacheCap(const Pool& p) { return std::max(kReportedCache, std::max(p.peak, p.lastPeak)); }

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

// The change in what V8 is told of (see takeReportedBytesChange) since it was last told.
std::atomic<int64_t> reportedChange{0};

/** A block of `bytes` leaves the cache to be handed out; the cache's unreported part goes last. */
void takeCached(Pool& p, int64_t bytes) {
  const int64_t charged = std::min(bytes, p.cachedReported);
  p.cachedReported -= charged;
  p.cached -= bytes;
  p.live += bytes;
  reportedChange += bytes - charged;
}

/** A released block of `bytes` joins the cache; the part beyond kReportedCache counts as given back. */
void putCached(Pool& p, int64_t bytes) {
  const int64_t added = std::min(bytes, kReportedCache - p.cachedReported);
  p.cachedReported += added;
  p.cached += bytes;
  p.live -= bytes;
  reportedChange += added - bytes;
}

/** A cached block of `bytes` goes back to the system; the cache's unreported part goes first. */
void dropCached(Pool& p, int64_t bytes) {
  const int64_t reported = bytes - std::min(bytes, p.cached - p.cachedReported);
  p.cachedReported -= reported;
  p.cached -= bytes;
  reportedChange -= reported;
}

#ifdef CR_HAVE_MMAP
// Mapped blocks below this size have their pages made present by the mapping call itself.
constexpr int64_t kPopulateBytes = int64_t{4} << 20;

/**
 * A fresh mapping. A page first touched by a kernel costs a fault each (over a microsecond on a
 * virtual machine: 15% of a one-thread 512² product's time, for its 1 MB output), and
 * populating them all in the mapping call costs half that. Larger blocks are left to fault: the
 * threads of the product writing one take their faults in parallel, which beat populating a
 * 16 MB output from one thread by 5-10% in 2048² products on two threads.
 */
void* mapBlock(int64_t bytes) {
#ifdef MAP_POPULATE  // Linux
  const int populate = bytes < kPopulateBytes ? MAP_POPULATE : 0;
#else
  const int populate = 0;
#endif
  void* p = mmap(nullptr, static_cast<size_t>(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | populate,
                 -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}
#endif

void* systemAlloc(int64_t bytes) {
  void* p = nullptr;
#ifdef CR_HAVE_MMAP
  if (bytes >= kMapBytes)
    p = mapBlock(bytes);
  else
#endif
    p = std::aligned_alloc(64, static_cast<size_t>((bytes + 63) & ~int64_t{63}));
  return p;
}

void systemFree(void* block, int64_t bytes) {
#ifdef CR_HAVE_MMAP
  if (bytes >= kMapBytes) {
    munmap(block, static_cast<size_t>(bytes));
    return;
  }
#endif
  std::free(block);
}

/** Ends an epoch: each class gives its never-needed blocks (the oldest) to `evicted`. */
void endEpoch(Pool& p, std::vector<std::pair<void*, int64_t>>& evicted);

void* allocBlock(int64_t bytes, int64_t* blockBytes, int* cls) {
  *cls = classOf(bytes, blockBytes);
  if (*cls < 0) {
    void* block = systemAlloc(*blockBytes);
    if (block) reportedChange += *blockBytes;
    return block;
  }
  void* block = nullptr;
  std::vector<std::pair<void*, int64_t>> evicted;
  Pool& p = pool();
  {
    const Lock lk(p.m);
    auto& list = p.free[*cls];
    p.lastUse[*cls] = ++p.clock;
    if (!list.empty()) {
      block = list.back();
      list.pop_back();
      takeCached(p, *blockBytes);
      p.lowWater[*cls] = std::min(p.lowWater[*cls], list.size());
      p.peak = std::max(p.peak, p.live);
    }
    p.handedOut += *blockBytes;
    if (p.handedOut >= kEpochBytes) endEpoch(p, evicted);
  }
  for (auto& [b, n] : evicted) systemFree(b, n);
  if (block) return block;
  // a fresh block is mapped (and its pages made present) with the lock released
  block = systemAlloc(*blockBytes);
  if (!block) return nullptr;
  const Lock lk(p.m);
  p.live += *blockBytes;
  p.peak = std::max(p.peak, p.live);
  reportedChange += *blockBytes;
  return block;
}

/** The size of class `cls`'s blocks. */
int64_t classBytes(int cls) {
  int64_t size = int64_t{64} << (cls / 4);
  return size + (cls % 4) * (size / 4);
}

void endEpoch(Pool& p, std::vector<std::pair<void*, int64_t>>& evicted) {
  for (int c = 0; c < kClasses; c++) {
    auto& list = p.free[c];
    const size_t unused = std::min(p.lowWater[c], list.size());
    for (size_t i = 0; i < unused; i++) evicted.emplace_back(list[i], classBytes(c));
    list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(unused));
    for (size_t i = 0; i < unused; i++) dropCached(p, classBytes(c));
    p.lowWater[c] = list.size();
  }
  p.lastPeak = p.peak;
  p.peak = p.live;
  p.handedOut = 0;
}

void freeBlock(void* block, int64_t bytes) {
  int64_t blockBytes = 0;
  const int cls = classOf(bytes, &blockBytes);
  if (cls < 0) {
    reportedChange -= blockBytes;
    systemFree(block, blockBytes);
    return;
  }
  // blocks of stale classes dropped to make room, given back once the lock is released
  std::vector<std::pair<void*, int64_t>> evicted;
  bool kept = false;
  {
    Pool& p = pool();
    const Lock lk(p.m);
    p.lastUse[cls] = ++p.clock;
    const int64_t cap = cacheCap(p);
    // A full cache drops the blocks of the class unused longest, not the block just released:
    // otherwise blocks of a size no longer asked for (a run of larger products) would fill it for
    // good, and every block of the sizes in use would come fresh from the system, page by page.
    while (p.cached + blockBytes > cap) {
      int stale = -1;
      for (int c = 0; c < kClasses; c++)
        if (c != cls && !p.free[c].empty() && (stale < 0 || p.lastUse[c] < p.lastUse[stale])) stale = c;
      if (stale < 0) break;
      const int64_t b = classBytes(stale);
      evicted.emplace_back(p.free[stale].back(), b);
      p.free[stale].pop_back();
      dropCached(p, b);
    }
    if (p.cached + blockBytes <= cap) {
      p.free[cls].push_back(block);
      putCached(p, blockBytes);
      kept = true;
    } else {
      p.live -= blockBytes;
      reportedChange -= blockBytes;
    }
  }
  for (auto& [b, n] : evicted) systemFree(b, n);
  if (!kept) systemFree(block, blockBytes);
}

}  // namespace

Buffer* newBuffer(int dtype, int64_t bytes, bool zero) {
  Buffer* b = nullptr;
  {
    Pool& p = pool();
    const Lock lk(p.m);
    if (!p.headers.empty()) {
      b = p.headers.back();
      p.headers.pop_back();
    }
  }
  if (!b) b = new Buffer();
  *b = Buffer{kBufferMagic, dtype, nullptr, bytes, zero};
  if (bytes > 0) {
    int64_t blockBytes = 0;
    int cls = 0;
    b->data = static_cast<char*>(allocBlock(bytes, &blockBytes, &cls));
  }
  return b;
}

void ensureZero(Buffer* b) {
  if (b->zeroPending && b->data) {
    // a large block is mostly cold: the threads share the writing (kernels call this before
    // their own parallel part, never from inside one)
    char* p = b->data;
    parallelFor(b->bytes, kZeroGrain, [p](int64_t s, int64_t e) { std::memset(p + s, 0, static_cast<size_t>(e - s)); });
  }
  b->zeroPending = false;
}

void releaseMemory(Buffer* b) {
  if (b->data) freeBlock(b->data, b->bytes);
  b->data = nullptr;
}

void deleteBuffer(Buffer* b) {
  releaseMemory(b);
  b->magic = 0;
  Pool& p = pool();
  const Lock lk(p.m);
  if (p.headers.size() < 65536)
    p.headers.push_back(b);
  else
    delete b;
}

int64_t takeReportedBytesChange() { return reportedChange.exchange(0); }

int64_t pooledBytes() {
  Pool& p = pool();
  const Lock lk(p.m);
  return p.cached;
}

}  // namespace cr
