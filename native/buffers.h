// Tensor memory owned by the addon. A buffer is 64-byte aligned, zero-filled when handed out,
// and returned to a size-class pool when released, so the next tensor of that size reuses warm,
// already-mapped memory instead of page-faulting in fresh pages.
#pragma once

#include <cstdint>

namespace cr {

/** A tensor buffer; JS holds it through a napi External whose finalizer releases it. */
struct Buffer {
  uint32_t magic;  // kBufferMagic, so a foreign External is refused
  int dtype;       // element type it was made for (informational: views carry their own)
  char* data;      // nullptr once released by free()
  int64_t bytes;   // bytes requested (the pool block may be larger)
  // zero-filling is deferred: most buffers are kernel outputs that get overwritten whole, so
  // the zeros are only written when something else (a read, a partial write) needs them
  bool zeroPending;
};

/** Writes the deferred zeros now, if any. */
void ensureZero(Buffer* b);

/** Tag of a live Buffer. */
constexpr uint32_t kBufferMagic = 0xC4A1B0F5u;

/** A new buffer of `bytes` bytes, logically zero when `zero` (nullptr data only if bytes == 0 or memory ran out). */
Buffer* newBuffer(int dtype, int64_t bytes, bool zero);

/** Returns the buffer's memory to the pool now; the Buffer itself stays, marked released. */
void releaseMemory(Buffer* b);

/** Releases the memory (if still held) and deletes the Buffer. */
void deleteBuffer(Buffer* b);

/**
 * The change since the last call in the memory the addon reports to V8 as external: the live
 * blocks and up to 128 MB of the pool (see buffers.cc). Training that reuses pooled blocks causes
 * no collections, so a step's dropped activations are collected every few steps rather than
 * every one or two: each full collection costs a pause and, while it marks, V8's helper threads
 * take cores from the kernels' workers.
 */
int64_t takeReportedBytesChange();

/** Bytes currently cached in the pool (for tests and the benchmark). */
int64_t pooledBytes();

}  // namespace cr
