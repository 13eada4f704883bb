// The kernel calls' arguments, independent of the transport that delivers them (Node-API in
// addon.cc, WebAssembly exports elsewhere): each argument arrives already decoded into an Arg,
// views are read from the instance's shared descriptor and bounds-checked against their buffers,
// errors are collected while checking and reported once by the transport, and outputs are settled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "buffers.h"
#include "common.h"

namespace cr {

/** The most arguments a call takes (attentionBackward's twelve). */
constexpr size_t kMaxArgs = 12;

/** One decoded argument of a call. */
struct Arg {
  enum Kind : uint8_t {
    kMissing,  // not passed, or a value no call takes (a string, a plain object)
    kNull,     // null or undefined: an optional operand left out
    kNumber,   // in `num`
    kBuffer,   // one of our Buffers in `buffer`, its magic already checked by the transport
    kBytes,    // a small typed array's bytes (`bytes`, `len` bytes), which JS keeps for tiny tensors
  } kind;
  // no default values: a transport sets what each kind uses, and the checks read no argument at
  // or past argc, so a call's Args costs no clearing of slots it does not use
  double num;
  Buffer* buffer;
  char* bytes;
  size_t len;
};

/** Per-instance state the transport keeps alive: the view descriptor and the staging array. */
struct Instance {
  const double* desc = nullptr;
  size_t descLen = 0;
  // small uploads and reads pass through here, so no typed array has to be handed across
  double* staging = nullptr;
  size_t stagingLen = 0;
};

/** A failed check: the message thrown as a RangeError (or TypeError). */
struct Fail {
  std::string msg;
  bool type = false;
};

/** A call's arguments and what checking them has found so far. */
struct Args {
  Arg argv[kMaxArgs];
  size_t argc = 0;
  Instance* inst = nullptr;
  size_t pos = 0;         // read position in the descriptor
  Buffer* out = nullptr;  // the output buffer, settled by ready()
  int64_t outBytes = 0;   // bytes the kernel will write to it
  Fail fail;
  bool ok() const { return fail.msg.empty(); }
  /** Records an error unless one is already recorded: the first one is what the caller sees. */
  void error(std::string m, bool isType = false) {
    if (ok()) fail = Fail{std::move(m), isType};
  }
};

/** Integer argument i: a number that is an int32 (a TypeError otherwise). */
int32_t intArg(Args& a, size_t i);
/** Number argument i; `what` is the TypeError's message when it is not a number. */
double numArg(Args& a, size_t i, const char* what);
/** Whether argument i is null, undefined or not passed: an optional operand left out. */
bool isNull(const Args& a, size_t i);
/** The Buffer behind handle argument i, or nullptr (and an error) if it is not one of ours. */
Buffer* handleArg(Args& a, size_t i);
/**
 * The bytes of handle argument i: an addon buffer or, for tensors small enough that the JS side
 * keeps them as typed arrays, that typed array. A disposed buffer reads as empty, so any view of
 * it fails its bounds check. Inputs get their deferred zeros written; outputs are settled by ready().
 */
char* bufferArg(Args& a, size_t i, size_t* len, bool input = true);
/** The bytes of typed-array argument i and their count (a TypeError when it is not one). */
const char* bytesArg(Args& a, size_t i, size_t* len);
/** The addon Buffer behind argument i, or nullptr for a typed array (which needs no settling). */
Buffer* ownBuffer(Args& a, size_t i);
/** The next number of the view descriptor. */
double next(Args& a);
/** Reads the next view from the descriptor and checks that it stays inside buffer argument i. */
View viewArg(Args& a, size_t i, bool input = true);
/** The next view, bound to argument i, when the descriptor's flag before it says there is one. */
bool optionalView(Args& a, size_t i, View& v, bool input);
/** Output buffer argument i, which the kernel fills with `n` elements of dtype dt. */
char* outArg(Args& a, size_t i, int dt, int64_t n);
/**
 * True when every check passed and the kernel may run. An output the kernel overwrites whole
 * skips its deferred zeros; one it only partly writes gets them first.
 */
bool ready(Args& a);
/** Equal shapes. */
bool sameShape(const View& x, const View& y);
/** Records an error naming `op` unless the shapes are equal. */
void requireSameShape(Args& a, const char* op, const View& x, const View& y);
/**
 * Whether view v is every element of buffer b once, dense in some order of its dims (a permuted
 * layout counts), so that a kernel writing all of v writes every byte of b.
 */
bool coversBuffer(const View& v, const Buffer& b);
/**
 * Settles the deferred zeros of output buffer argument i, which a kernel writes through view v:
 * skipped when v covers the whole buffer, written first otherwise.
 */
void settleOutput(Args& a, size_t i, const View& v);

}  // namespace cr
