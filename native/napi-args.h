// Decoding Node-API arguments for the addon's functions: the per-environment state (view
// descriptor and staging buffer), errors collected while checking and thrown once, handles,
// views read from the descriptor and bounds-checked against their buffers, and outputs.
#pragma once

#include <node_api.h>

#include <string>

#include "buffers.h"
#include "common.h"

namespace cr {

struct Instance {
  napi_ref descRef = nullptr;
  const double* desc = nullptr;
  size_t descLen = 0;
  // small uploads and reads pass through here, so no typed array has to be handed across
  napi_ref stagingRef = nullptr;
  double* staging = nullptr;
  size_t stagingLen = 0;
};

/** A failed check: the message thrown as a RangeError (or TypeError). */
struct Fail {
  std::string msg;
  bool type = false;
};

struct Args {
  napi_env env;
  napi_value argv[6];
  size_t argc = 6;
  Instance* inst = nullptr;
  size_t pos = 0;  // read position in the descriptor
  Buffer* out = nullptr;  // the output buffer, settled by ready()
  int64_t outBytes = 0;   // bytes the kernel will write to it
  Fail fail;
  bool ok() const { return fail.msg.empty(); }
  void error(std::string m, bool isType = false) {
    if (ok()) fail = Fail{std::move(m), isType};
  }
};

/** Reads the call's arguments and the instance data. */
bool load(napi_env env, napi_callback_info info, Args& a);
/** Throws the first recorded error, if any. */
napi_value finish(Args& a);
/** Integer argument i. */
int32_t intArg(Args& a, size_t i);
/** The Buffer behind handle argument i, or nullptr (and an error) if it is not one of ours. */
Buffer* handleArg(Args& a, size_t i);
/**
 * The bytes of handle argument i: an addon buffer or, for tensors small enough that the JS side
 * keeps them as typed arrays, that typed array. A disposed buffer reads as empty, so any view of
 * it fails its bounds check. Inputs get their deferred zeros written; outputs are settled by ready().
 */
char* bufferArg(Args& a, size_t i, size_t* len, bool input = true);
/** The addon Buffer behind argument i, or nullptr for a typed array (which needs no settling). */
Buffer* ownBuffer(Args& a, size_t i);
/** The next number of the view descriptor. */
double next(Args& a);
/** Reads the next view from the descriptor and checks that it stays inside buffer argument i. */
View viewArg(Args& a, size_t i, bool input = true);
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

}  // namespace cr
