// The Node-API transport of the kernel calls' arguments: the instance state that holds its
// typed arrays alive through napi references, decoding a call's napi values into Args (args.h),
// and throwing the first error a call recorded.
#pragma once

#include <node_api.h>

#include <vector>

#include "args.h"
#include "calls.h"

namespace cr {

struct NapiInstance;

/**
 * What each of the addon's napi functions gets as its callback data: its environment's state
 * and, for a kernel call, its kCalls entry. Both come with the napi_get_cb_info a call makes
 * anyway, which saves a napi_get_instance_data per call.
 */
struct Binding {
  NapiInstance* owner;
  const Call* call;
};

/** The Instance of one Node environment, with the references that keep its typed arrays alive. */
struct NapiInstance {
  Instance inst;
  napi_ref descRef = nullptr;
  napi_ref stagingRef = nullptr;
  // sized once before any function is made, so the pointers handed to napi stay valid
  std::vector<Binding> bindings;
};

/**
 * Reads the call's arguments into `a`, each decoded once (see Arg), and the environment's
 * Instance, from the function's Binding (returned in `binding` if given). False when Node-API
 * itself failed; a handle that is not one of ours is an error recorded in `a`.
 */
bool load(napi_env env, napi_callback_info info, Args& a, const Binding** binding = nullptr);
/** Throws the first recorded error, if any, as a RangeError or TypeError. */
napi_value finish(napi_env env, const Args& a);

}  // namespace cr
