// Matrix products. Floats go through a BLIS-style driver: B is packed into k-major strips of the
// micro-tile width (shared by all threads), each thread packs its rows of A into micro-panels
// and runs the ISA's register-blocked micro-kernel; packing reads any strides, so transposed
// and broadcast operands need no copies. Few-row products skip packing. Ints use a plain loop.

#include "gemm.h"

#include <cstdlib>
#include <cstring>

#include "isa.h"
#include "thread-pool.h"

namespace cr {
namespace {

/** A grow-only 64-byte-aligned scratch buffer; one per thread so workers never share one. */
struct Scratch {
  void* p = nullptr;
  size_t bytes = 0;
  template <class T>
  T* get(size_t n) {
    const size_t want = (n * sizeof(T) + 63) & ~size_t{63};
    if (want > bytes) {
      std::free(p);
      p = std::aligned_alloc(64, want);
      bytes = p ? want : 0;
    }
    return static_cast<T*>(p);
  }
};
thread_local Scratch aScratch, bScratch;

// Products below this many multiply-adds that also touch fewer than kThreadMinElements operand
// and output elements run on one thread: waking workers costs more. Products with few
// multiply-adds per element (an outer product writing a weight gradient, a vector times a
// weight) are memory-bound: each thread then reads or writes its half of the weight, the half
// that stays in its core's cache from one kernel to the next.
constexpr double kThreadMinFlops = 1 << 18;
constexpr double kThreadMinElements = 1 << 16;
// Products this small in M or K skip packing: packing would cost as much as it saves.
constexpr int64_t kDirectRows = 16;
constexpr int64_t kDirectDepth = 64;
// Up to twice kDirectRows rows go unpacked too when b takes at most this many bytes.
constexpr double kDirectCachedBytes = 1 << 20;
// Dot-product form (a rows and b columns contiguous along K) for outputs this narrow.
constexpr int64_t kDirectCols = 16;
// Square products up to this many multiply-adds split their columns across threads, larger ones their rows.
constexpr double kSquareColumnsFlops = 1 << 24;
// Column-major b operands up to this many elements are transposed for a few-row product.
constexpr int64_t kTransposeLimit = 1 << 16;

template <class T>
struct Operands {
  int64_t m, n, k;
  const T* a;
  int64_t rsa, csa;
  const T* b;
  int64_t rsb, csb;
  T* c;
  int64_t ldc;
};

/** Everything one (jc, pc) block of the packed path needs, shared by the threads. */
template <class T>
struct Block {
  const Operands<T>* o;
  const GemmKernel<T>* g;
  int64_t jc, nc, pc, kc;
  T* bPack;
  bool splitRows;
};

/** Packs strips [s0, s1) of the block's B. */
template <class T>
void packStrips(const Block<T>& blk, int64_t s0, int64_t s1) {
  const Operands<T>& o = *blk.o;
  const int nr = blk.g->nr;
  for (int64_t s = s0; s < s1; s++) {
    const int64_t j = blk.jc + s * nr;
    const int64_t cols = o.n - j < nr ? o.n - j : nr;
    blk.g->packB(o.b + blk.pc * o.rsb + j * o.csb, o.rsb, o.csb, cols, blk.kc, blk.bPack + s * nr * blk.kc);
  }
}

/** One thread's share of a block: its rows (or its strips, which it packs), packing A as it goes. */
template <class T>
void computeShare(const Block<T>& blk, int tid, int nt) {
  const Operands<T>& o = *blk.o;
  const GemmKernel<T>& g = *blk.g;
  const int mr = g.mr, nr = g.nr;
  const int64_t panels = (o.m + mr - 1) / mr;
  const int64_t strips = (blk.nc + nr - 1) / nr;
  int64_t p0 = 0, p1 = panels, s0 = 0, s1 = strips;
  if (blk.splitRows) {
    p0 = panels * tid / nt;
    p1 = panels * (tid + 1) / nt;
  } else {
    s0 = strips * tid / nt;
    s1 = strips * (tid + 1) / nt;
  }
  if (p0 >= p1 || s0 >= s1) return;
  if (!blk.splitRows) packStrips(blk, s0, s1);
  const int64_t mcPanels = g.mc / mr > 0 ? g.mc / mr : 1;
  T* aPack = aScratch.get<T>(static_cast<size_t>(mcPanels * mr * blk.kc));
  alignas(64) T tile[16 * 64];
  const bool acc = blk.pc > 0;
  for (int64_t ip = p0; ip < p1; ip += mcPanels) {
    const int64_t ipEnd = ip + mcPanels < p1 ? ip + mcPanels : p1;
    const int64_t i0 = ip * mr;
    const int64_t mc = (ipEnd * mr < o.m ? ipEnd * mr : o.m) - i0;
    g.packA(o.a + i0 * o.rsa + blk.pc * o.csa, o.rsa, o.csa, mc, blk.kc, aPack);
    for (int64_t s = s0; s < s1; s++) {
      const T* bs = blk.bPack + s * nr * blk.kc;
      const int64_t j = blk.jc + s * nr;
      const int64_t cols = o.n - j < nr ? o.n - j : nr;
      for (int64_t p = ip; p < ipEnd; p++) {
        const int64_t i = p * mr;
        const int64_t rows = o.m - i < mr ? o.m - i : mr;
        const T* ap = aPack + (p - ip) * mr * blk.kc;
        T* c = o.c + i * o.ldc + j;
        // the last panel's kernel computes its real rows only
        auto run = [&](T* dst, int64_t ld, bool add) {
          if (rows == mr)
            g.kernel(blk.kc, ap, bs, dst, ld, add);
          else
            g.edge(static_cast<int>(rows), blk.kc, ap, bs, dst, ld, add);
        };
        if (cols == nr) {
          run(c, o.ldc, acc);
          continue;
        }
        // a partial strip: through a tile, so that stores stay inside c's columns
        run(tile, nr, false);
        for (int64_t r = 0; r < rows; r++)
          for (int64_t q = 0; q < cols; q++) c[r * o.ldc + q] = acc ? c[r * o.ldc + q] + tile[r * nr + q] : tile[r * nr + q];
      }
    }
  }
}

template <class T>
void packedGemm(const Operands<T>& o, const GemmKernel<T>& g, int nt) {
  const int mr = g.mr, nr = g.nr;
  const int64_t panels = (o.m + mr - 1) / mr;
  const double flops = static_cast<double>(o.m) * o.n * o.k;
  for (int64_t jc = 0; jc < o.n; jc += g.nc) {
    const int64_t nc = o.n - jc < g.nc ? o.n - jc : g.nc;
    const int64_t strips = (nc + nr - 1) / nr;
    // Threads share out C's longer side. A row share packs its rows of A and reads all of B
    // (packed by all threads first), a column share packs all of A and only its own strips of
    // B: per thread m/nt + n against m + n/nt rows of K, and no wait between packing and use.
    // Square products split by rows once large, where packing all of A per thread costs more.
    const bool wide = o.m < o.n || (o.m == o.n && flops <= kSquareColumnsFlops);
    const bool splitRows = wide ? strips < nt : panels >= nt;
    T* bPack = bScratch.get<T>(static_cast<size_t>(strips * nr * g.kc));
    // K split into equal blocks of at most g.kc: a short last block would waste the C updates
    const int64_t kBlocks = (o.k + g.kc - 1) / g.kc;
    const int64_t kStep = (o.k + kBlocks - 1) / kBlocks;
    for (int64_t pc = 0; pc < o.k; pc += kStep) {
      const int64_t kc = o.k - pc < kStep ? o.k - pc : kStep;
      Block<T> blk{&o, &g, jc, nc, pc, kc, bPack, splitRows};
      if (nt > 1) {
        if (splitRows) parallelFor(strips, 1, [&](int64_t s0, int64_t s1) { packStrips(blk, s0, s1); });
        runParallel(
            nt, [](void* p, int tid, int n) { computeShare(*static_cast<Block<T>*>(p), tid, n); }, &blk);
      } else {
        if (splitRows) packStrips(blk, 0, strips);
        computeShare(blk, 0, 1);
      }
    }
  }
}

template <class T>
void smallGemm(const Operands<T>& o, const GemmKernel<T>& g, int nt) {
  // split columns across threads (each call sees contiguous output columns), or rows when there
  // are too few columns to share (a weight gradient's few long dot products per row) or when
  // writing c is most of the work (an outer product's k = 1): contiguous halves of c, as an
  // elementwise kernel over it splits them, so the next kernel finds each half on its thread
  const int64_t grain = 64;
  auto cols = [&](int64_t j0, int64_t j1) {
    g.smallM(o.m, j1 - j0, o.k, o.a, o.rsa, o.csa, o.b + j0 * o.csb, o.rsb, o.csb, o.c + j0, o.ldc);
  };
  auto rows = [&](int64_t i0, int64_t i1) {
    g.smallM(i1 - i0, o.n, o.k, o.a + i0 * o.rsa, o.rsa, o.csa, o.b, o.rsb, o.csb, o.c + i0 * o.ldc, o.ldc);
  };
  if (nt == 1)
    cols(0, o.n);
  else if ((o.n < 8 * grain || o.m > o.k) && o.m >= 8)
    parallelFor(o.m, 4, rows);
  else
    parallelFor(o.n, grain, cols);
}

template <class T>
const GemmKernel<T>& kernelFor();
template <>
const GemmKernel<float>& kernelFor<float>() {
  return isa().sgemm;
}
template <>
const GemmKernel<double>& kernelFor<double>() {
  return isa().dgemm;
}

}  // namespace

template <class T>
void gemm(int64_t m, int64_t n, int64_t k, const T* a, int64_t rsa, int64_t csa, const T* b, int64_t rsb,
          int64_t csb, T* c, int64_t ldc, bool threaded) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; i++) std::memset(c + i * ldc, 0, sizeof(T) * n);
    return;
  }
  const GemmKernel<T>& g = kernelFor<T>();
  const double flops = static_cast<double>(m) * n * k;
  const double elements = static_cast<double>(m) * k + static_cast<double>(k) * n + static_cast<double>(m) * n;
  const bool big = flops >= kThreadMinFlops || elements >= kThreadMinElements;
  const int nt = threaded && big ? getNumThreads() : 1;
  // one output column: solve the transposed problem c^T = b^T a^T, whose single row is contiguous
  if (n == 1 && ldc == 1 && (csa == 1 || rsa == 1))
    return smallGemm(Operands<T>{1, m, k, b, csb, rsb, a, csa, rsa, c, m}, g, nt);
  // up to twice as many rows read a row-major b in place while it fits in L2 (a recurrent step's
  // state times W_hhᵀ, every step): packing it would cost as much as the product saves
  const bool cachedB = m <= 2 * kDirectRows && static_cast<double>(k) * n * sizeof(T) <= kDirectCachedBytes;
  const bool direct = (csb == 1 && (m <= kDirectRows || k <= kDirectDepth || cachedB)) ||
                      (csa == 1 && rsb == 1 && (n <= kDirectCols || m <= 4)) ||
                      (m <= 4 && rsb == 1);
  if (direct) return smallGemm(Operands<T>{m, n, k, a, rsa, csa, b, rsb, csb, c, ldc}, g, nt);
  // few rows times a column-major b (a weight gradient's col^T): transposing b into a row-major
  // scratch costs a fraction of packing it and padding a 16-row product to micro-tiles
  if (m <= kDirectRows && rsb == 1 && k * n <= kTransposeLimit) {
    T* bt = bScratch.get<T>(static_cast<size_t>(k * n));
    floatLoops<T>().transpose(b, csb, bt, n, k, n);
    return smallGemm(Operands<T>{m, n, k, a, rsa, csa, bt, n, 1, c, ldc}, g, nt);
  }
  packedGemm(Operands<T>{m, n, k, a, rsa, csa, b, rsb, csb, c, ldc}, g, nt);
}

template void gemm<float>(int64_t, int64_t, int64_t, const float*, int64_t, int64_t, const float*, int64_t, int64_t,
                          float*, int64_t, bool);
template void gemm<double>(int64_t, int64_t, int64_t, const double*, int64_t, int64_t, const double*, int64_t,
                           int64_t, double*, int64_t, bool);

}  // namespace cr
