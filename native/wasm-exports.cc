// The WebAssembly module's exports: the kernel calls of calls.h (the same list, checks and
// kernels the Node addon runs) behind one entry point, tensor buffers, and the thread pool's
// worker entry. A call's arguments travel through a static area that the JS side fills (a kind
// and a number per argument), its views through the descriptor area; tensors never leave the
// module's memory.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "args.h"
#include "buffers.h"
#include "calls.h"
#include "isa.h"
#include "kernels.h"
#include "thread-pool.h"

#define CR_EXPORT(name) extern "C" __attribute__((export_name(#name), visibility("default")))

namespace cr {
namespace {

// Bumped with the layout of the areas below or the meaning of an export, as kAbi is for the addon.
constexpr int kWasmAbi = 1;
constexpr size_t kDescLen = 8 + 4 * (3 + 2 * kMaxDims);
constexpr size_t kStagingLen = 256;

/** Argument i: kinds[i] (an Arg::Kind), values[i] (a number, a Buffer* or a byte address), lengths[i] (bytes). */
struct CallArea {
  double kinds[kMaxArgs];
  double values[kMaxArgs];
  double lengths[kMaxArgs];
};

CallArea area;
double desc[kDescLen];
double staging[kStagingLen];
Instance instance{desc, kDescLen, staging, kStagingLen};
std::string message;

/** '\n'-joined names, for the JS side to split. */
std::string joined(const char* const* names, int n) {
  std::string s;
  for (int i = 0; i < n; i++) (s += names[i]) += '\n';
  return s;
}

}  // namespace
}  // namespace cr

using namespace cr;

CR_EXPORT(cr_abi) int crAbi() { return kWasmAbi; }
CR_EXPORT(cr_call_area) CallArea* crCallArea() { return &area; }
CR_EXPORT(cr_desc) double* crDesc() { return desc; }
CR_EXPORT(cr_desc_length) int crDescLength() { return static_cast<int>(kDescLen); }
CR_EXPORT(cr_staging) double* crStaging() { return staging; }
CR_EXPORT(cr_staging_length) int crStagingLength() { return static_cast<int>(kStagingLen); }

/** The names of a list: 0 calls, 1 unary ops, 2 binary, 3 reduce, 4 scan; '\n'-joined. */
CR_EXPORT(cr_names) const char* crNames(int which) {
  static std::string lists[5];
  static bool made = false;
  if (!made) {
    for (int i = 0; i < kCallCount; i++) (lists[0] += kCalls[i].name) += '\n';
    lists[1] = joined(kUnaryNames, kUnaryCount);
    lists[2] = joined(kBinaryNames, kBinaryCount);
    lists[3] = joined(kReduceNames, kReduceCount);
    lists[4] = joined(scanop::kNames, scanop::kCount);
    made = true;
  }
  return which >= 0 && which < 5 ? lists[which].c_str() : "";
}

/**
 * Runs kernel call `index` of kCalls over the first argc arguments of the call area: 0 when it
 * ran, 1 or 2 when a check failed (a RangeError or a TypeError, the message in cr_message).
 */
CR_EXPORT(cr_call) int crCall(int index, int argc) {
  Args a;
  a.inst = &instance;
  a.argc = argc < 0 ? 0 : static_cast<size_t>(argc) < kMaxArgs ? static_cast<size_t>(argc) : kMaxArgs;
  for (size_t i = 0; i < a.argc; i++) {
    Arg& g = a.argv[i];
    g.kind = static_cast<Arg::Kind>(static_cast<int>(area.kinds[i]));
    g.num = area.values[i];
    const uintptr_t address = static_cast<uintptr_t>(area.values[i]);
    g.buffer = g.kind == Arg::kBuffer ? reinterpret_cast<Buffer*>(address) : nullptr;
    if (g.buffer && g.buffer->magic != kBufferMagic) a.error("expected a buffer handle of the wasm backend", true);
    g.bytes = g.kind == Arg::kBytes ? reinterpret_cast<char*>(address) : nullptr;
    g.len = static_cast<size_t>(area.lengths[i]);
  }
  if (index < 0 || index >= kCallCount) a.error("unknown kernel call", true);
  if (a.ok()) kCalls[index].fn(a);
  if (a.ok()) return 0;
  message = a.fail.msg;
  return a.fail.type ? 2 : 1;
}

CR_EXPORT(cr_message) const char* crMessage() { return message.c_str(); }

/** A buffer of `bytes` bytes, logically zero when `zero`; null when memory ran out. */
CR_EXPORT(cr_alloc) Buffer* crAlloc(int dtype, double bytes, int zero) {
  // sizes are 32-bit here: a request past the address space must fail, not wrap to a small block
  if (!(bytes >= 0 && bytes <= static_cast<double>(SIZE_MAX - (size_t{1} << 16)))) return nullptr;
  Buffer* b = newBuffer(dtype, static_cast<int64_t>(bytes), zero != 0);
  if (b->bytes > 0 && !b->data) {
    deleteBuffer(b);
    return nullptr;
  }
  return b;
}

/** The buffer's bytes, its deferred zeros written: for reading it out, or null once released. */
CR_EXPORT(cr_data) char* crData(Buffer* b) {
  ensureZero(b);
  return b->data;
}

/** The buffer's bytes for overwriting the first `bytes` of it: its deferred zeros only if that leaves some. */
CR_EXPORT(cr_data_for_write) char* crDataForWrite(Buffer* b, double bytes) {
  if (static_cast<int64_t>(bytes) >= b->bytes)
    b->zeroPending = false;
  else
    ensureZero(b);
  return b->data;
}

CR_EXPORT(cr_bytes) double crBytes(Buffer* b) { return b->data ? static_cast<double>(b->bytes) : 0; }
CR_EXPORT(cr_release) void crRelease(Buffer* b) { releaseMemory(b); }
CR_EXPORT(cr_delete) void crDelete(Buffer* b) { deleteBuffer(b); }
CR_EXPORT(cr_pooled_bytes) double crPooledBytes() { return static_cast<double>(pooledBytes()); }

CR_EXPORT(cr_set_num_threads) void crSetNumThreads(int n) { setNumThreads(n); }
CR_EXPORT(cr_get_num_threads) int crGetNumThreads() { return getNumThreads(); }
CR_EXPORT(cr_worker_main) void crWorkerMain(int self) { workerMain(self); }
CR_EXPORT(cr_simd) const char* crSimd() { return isa().name; }

/** Raw memory for the JS side: worker stacks, thread-local blocks, tiny arguments. */
CR_EXPORT(cr_malloc) void* crMalloc(double bytes) {
  return std::aligned_alloc(16, (static_cast<size_t>(bytes) + 15) & ~size_t{15});
}
CR_EXPORT(cr_free) void crFree(void* p) { std::free(p); }
