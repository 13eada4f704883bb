// A persistent pool of worker threads shared by all kernels. Workers spin briefly after each job
// (kernels come in quick succession during a training step) and then sleep; a call made while
// the pool is busy (another JS thread, or a kernel nested in a job) runs on the caller alone.
#pragma once

#include <cstdint>
#include <type_traits>

namespace cr {

/** Sets the number of threads kernels may use (>= 1), the caller included. */
void setNumThreads(int n);

/** The number of threads kernels may use. */
int getNumThreads();

/** The default: the cores this process may run on. */
int defaultNumThreads();

#if defined(__wasm__)
/**
 * Runs worker `self` (1, 2, ...) for good: on WebAssembly the JS side starts the workers, each an
 * instance of the module over the shared memory, and each calls this once.
 */
void workerMain(int self);
#endif

/** Job body: called once for each part (index `part` of `parts`), on whichever thread claims it. */
using JobFn = void (*)(void* ctx, int part, int parts);

/**
 * Runs fn for parts 0..nparts-1 on up to getNumThreads() threads (the caller takes part) and
 * returns when all are done. When the pool is busy, or the call is nested inside a job, the
 * caller runs fn(ctx, 0, 1) alone: a body must treat "part 0 of 1" as the whole job.
 */
void runParallel(int nparts, JobFn fn, void* ctx);

/**
 * Splits [0, n) into ranges of whole `grain`s and calls body(begin, end) on each, in parallel.
 * There are a few more ranges than threads, so a thread that starts late finds less to do.
 */
template <class F>
void parallelFor(int64_t n, int64_t grain, F&& body) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  const int64_t chunks = (n + grain - 1) / grain;
  const int64_t most = 4 * static_cast<int64_t>(getNumThreads());
  const int64_t nt = getNumThreads() <= 1 ? 1 : chunks < most ? chunks : most;
  if (nt <= 1) {
    body(int64_t{0}, n);
    return;
  }
  using Body = std::remove_reference_t<F>;
  struct Ctx {
    Body* body;
    int64_t n, grain, chunks;
  } ctx{&body, n, grain, chunks};
  runParallel(
      static_cast<int>(nt),
      [](void* p, int tid, int nth) {
        auto* c = static_cast<Ctx*>(p);
        const int64_t lo = c->chunks * tid / nth * c->grain;
        int64_t hi = c->chunks * (tid + 1) / nth * c->grain;
        if (hi > c->n) hi = c->n;
        if (lo < hi) (*c->body)(lo, hi);
      },
      &ctx);
}

}  // namespace cr
