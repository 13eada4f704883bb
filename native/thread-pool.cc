// The persistent worker pool behind runParallel. A job's parts are dealt out in contiguous home
// ranges, one per thread (the caller's first), and a thread claims its own range's parts first:
// the same thread then touches the same part of the data in every kernel of a step (the first
// half of a weight, of its gradient, of an activation), so on two cores each half stays in one
// core's L2 instead of moving between them. A thread whose range is done claims what is left of
// the others', so if a worker is asleep or not scheduled (a busy machine), the caller simply does
// its parts and no job ever waits for a thread that is not running. Idle workers spin, then poll
// with short timed sleeps, and only after a long idle spell sleep until woken: waking a thread
// costs the caller a system call (~20 µs in a VM), more than many kernels take. Workers are
// detached and never destroyed.

#include "thread-pool.h"

#include <atomic>

#if !defined(__wasm__)
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#endif
#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CR_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define CR_PAUSE() __asm__ __volatile__("yield")
#else
#define CR_PAUSE() ((void)0)
#endif

namespace cr {
namespace {

// An idle worker spins this long (the gaps between the kernels of one training step, where the
// caller runs JavaScript: a CNN step at 2 threads ran 10% faster spinning 2-3 ms than 100 µs, a
// batch-1 MLP step 14%; OpenMP runtimes spin far longer), then polls every kPoll until kDoze has
// passed without work (the gap between steps), then sleeps until a caller wakes it.
#if defined(__wasm__)
// WebAssembly has no clock without imports: the spell is counted in loads of the job word, then
// in timed waits of kPollNs, which a worker may make (only a page's main thread may not).
constexpr int kSpinLoads = 1 << 20;
constexpr int64_t kPollNs = 50'000;
constexpr int kDozePolls = 400;
#else
constexpr auto kSpin = std::chrono::milliseconds(2);
constexpr auto kPoll = std::chrono::microseconds(50);
constexpr auto kDoze = std::chrono::milliseconds(20);
#endif

// Home ranges beyond this many threads: the extra threads only take parts left in the others'.
constexpr int kMaxHomes = 64;

/** Home ranges of a job on `threads` threads. */
constexpr int homesFor(int threads) { return threads < kMaxHomes ? threads : kMaxHomes; }

/**
 * One home range's claim word: job id << 32 | range end << 16 | next unclaimed part. The end
 * travels in the word so that a claim never trusts bounds read separately from an older job.
 */
struct alignas(64) HomeClaim {
  std::atomic<uint64_t> word{0};
};

struct Pool {
  std::atomic<uint64_t> jobId{0};  // bumped to publish a job; workers wait for it to change
  HomeClaim claims[kMaxHomes];     // claims[t]: thread t's home range
  std::atomic<int> threads{0};     // threads the current job may use, the caller included
  std::atomic<JobFn> fn{nullptr};
  std::atomic<void*> ctx{nullptr};
  std::atomic<int> parts{0};
  std::atomic<int> done{0};
  std::atomic<int> sleepers{0};  // workers in the deep sleep that needs a notify
#if !defined(__wasm__)
  std::mutex sleepMutex;
  std::condition_variable wake;
#endif
  std::atomic<bool> busy{false};  // set by the one caller whose job is running
  // started so far; never shrinks, extra workers just sleep. On WebAssembly the JS side starts
  // them, each announcing itself in workerMain.
  std::atomic<int> workers{0};
};

Pool& pool() {
  static Pool* p = new Pool();  // leaked on purpose: workers may outlive static destructors
  return *p;
}

std::atomic<int> numThreads{0};
thread_local bool insideJob = false;

/**
 * Claims and runs parts of job `id`: those of home range `self` first, then what is left of the
 * others'. A successful claim proves the job is still running (that part was unclaimed), so the
 * fields read before it belong to it.
 */
void runParts(Pool& p, uint64_t id, int self) {
  const uint64_t tag = id & 0xffffffffu;
  const int threads = p.threads.load(std::memory_order_relaxed);
  // workers left from a larger thread count sit the job out: setNumThreads(n) means n threads
  if (self >= threads) return;
  const int homes = homesFor(threads);
  for (int h = 0; h < homes; h++) {
    HomeClaim& home = p.claims[(self + h) % homes];
    for (;;) {
      uint64_t c = home.word.load(std::memory_order_acquire);
      // another job's word: this job is over, or this range is not one of its homes
      if (c >> 32 != tag) break;
      const int i = static_cast<int>(c & 0xffffu);
      if (i >= static_cast<int>((c >> 16) & 0xffffu)) break;
      const JobFn fn = p.fn.load(std::memory_order_relaxed);
      void* ctx = p.ctx.load(std::memory_order_relaxed);
      const int n = p.parts.load(std::memory_order_relaxed);
      if (!home.word.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) continue;
      fn(ctx, i, n);
      p.done.fetch_add(1, std::memory_order_release);
    }
  }
}

#if defined(__wasm__)
/** The low half of the job id, which workers wait on (little-endian: its first word). */
int* jobWord(Pool& p) { return reinterpret_cast<int*>(&p.jobId); }

/** Waits until the job id is no longer `seen`: spinning, then polling, then asleep until woken. */
uint64_t awaitJob(Pool& p, uint64_t seen) {
  for (int i = 0;; i++) {
    const uint64_t id = p.jobId.load(std::memory_order_acquire);
    if (id != seen) return id;
    if (i < kSpinLoads) continue;
    const int expected = static_cast<int>(seen & 0xffffffffu);
    if (i < kSpinLoads + kDozePolls) {
      __builtin_wasm_memory_atomic_wait32(jobWord(p), expected, kPollNs);
      continue;
    }
    p.sleepers.fetch_add(1);
    if (p.jobId.load() == seen) __builtin_wasm_memory_atomic_wait32(jobWord(p), expected, -1);
    p.sleepers.fetch_sub(1);
  }
}

void wakeSleepers(Pool& p) { __builtin_wasm_memory_atomic_notify(jobWord(p), 0xffffffffu); }
#else
uint64_t awaitJob(Pool& p, uint64_t seen) {
  const auto idleSince = std::chrono::steady_clock::now();
  for (int i = 0;; i++) {
    const uint64_t id = p.jobId.load(std::memory_order_acquire);
    if (id != seen) return id;
    if (i < 256 || (i & 255) != 255) {
      CR_PAUSE();
      continue;
    }
    const auto idle = std::chrono::steady_clock::now() - idleSince;
    if (idle < kSpin) continue;
    std::unique_lock<std::mutex> lk(p.sleepMutex);
    if (idle < kDoze) {
      p.wake.wait_for(lk, kPoll, [&] { return p.jobId.load() != seen; });
      continue;
    }
    p.sleepers.fetch_add(1);
    p.wake.wait(lk, [&] { return p.jobId.load() != seen; });
    p.sleepers.fetch_sub(1);
  }
}

void wakeSleepers(Pool& p) {
  { std::lock_guard<std::mutex> lk(p.sleepMutex); }
  p.wake.notify_all();
}
#endif

void workerLoop(uint64_t seen, int self) {
  Pool& p = pool();
  insideJob = true;  // a kernel called from a job body must not re-enter the pool
  for (;;) {
    seen = awaitJob(p, seen);
    runParts(p, seen, self);
  }
}

}  // namespace

#if defined(__wasm__)
void workerMain(int self) {
  Pool& p = pool();
  const uint64_t seen = p.jobId.load();
  p.workers.fetch_add(1);
  workerLoop(seen, self);
}
#endif

int defaultNumThreads() {
#if defined(__wasm__)
  return 1;  // the JS side sets the count it has workers for
#elif defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
#if !defined(__wasm__)
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
#endif
}

void setNumThreads(int n) { numThreads.store(n < 1 ? 1 : n); }

int getNumThreads() {
  int n = numThreads.load();
  if (n == 0) {
    n = defaultNumThreads();
    numThreads.store(n);
  }
  return n;
}

void runParallel(int nparts, JobFn fn, void* ctx) {
  Pool& p = pool();
  int threads = nparts < getNumThreads() ? nparts : getNumThreads();
#if defined(__wasm__)
  // only the workers the JS side has started so far can take part
  if (threads > p.workers.load() + 1) threads = p.workers.load() + 1;
#endif
  // a claim word holds part numbers in 16 bits
  if (threads <= 1 || nparts > 0xffff || insideJob || p.busy.exchange(true, std::memory_order_acquire)) {
    fn(ctx, 0, 1);
    return;
  }
  // a new worker starts from the current id, so it sees the job published below as new
  const uint64_t id = p.jobId.load() + 1;
#if !defined(__wasm__)
  while (p.workers.load() < threads - 1) std::thread(workerLoop, id - 1, p.workers.fetch_add(1) + 1).detach();
#endif
  p.fn.store(fn, std::memory_order_relaxed);
  p.ctx.store(ctx, std::memory_order_relaxed);
  p.parts.store(nparts, std::memory_order_relaxed);
  p.done.store(0, std::memory_order_relaxed);
  p.threads.store(threads, std::memory_order_relaxed);
  const int homes = homesFor(threads);
  const uint64_t tag = (id & 0xffffffffu) << 32;
  for (int h = 0; h < homes; h++) {
    const uint64_t lo = static_cast<uint64_t>(nparts) * h / homes;
    const uint64_t hi = static_cast<uint64_t>(nparts) * (h + 1) / homes;
    p.claims[h].word.store(tag | hi << 16 | lo, std::memory_order_release);
  }
  // seq_cst publish then sleepers read: pairs with the worker's sleepers++ then jobId read, so
  // either the worker sees the new job or we see it asleep and wake it
  p.jobId.store(id);
  if (p.sleepers.load() > 0) wakeSleepers(p);
  insideJob = true;
  runParts(p, id, 0);
  insideJob = false;
  // every part is claimed; wait for the ones other threads are still running
  for (int i = 0; p.done.load(std::memory_order_acquire) < nparts; i++) {
#if defined(__wasm__)
    (void)i;  // a page's main thread may not block: it spins
#else
    if (i < 4096)
      CR_PAUSE();
    else
      std::this_thread::yield();
#endif
  }
  p.busy.store(false, std::memory_order_release);
}

}  // namespace cr
