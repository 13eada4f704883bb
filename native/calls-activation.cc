// The addon's fused activations: activation(kind, x, out) and activationBackward(kind, g, x, out),
// with the input views in the descriptor and `kind` an ActivationKind of isa.h (GELU, its tanh
// approximation, SiLU); the kernels are in elementwise.cc.

#include <string>

#include "calls.h"
#include "isa.h"
#include "kernels.h"

namespace cr {
namespace {

/**
 * activation(kind, x, out) with nIn = 1, activationBackward(kind, g, x, out) with nIn = 2: float
 * input views of one shape and dtype, out a contiguous buffer of that dtype.
 */
void ActivationCall(Args& a, int nIn) {
  const std::string op = nIn == 1 ? "activation" : "activationBackward";
  const int kind = intArg(a, 0);
  View v[2];
  for (int i = 0; i < nIn; i++) v[i] = viewArg(a, 1 + i);
  for (int i = 0; a.ok() && i < nIn; i++) {
    if (v[i].dtype != v[0].dtype || (v[i].dtype != kF32 && v[i].dtype != kF64))
      a.error(op + ": operands must be float32 or float64, all one dtype", true);
    requireSameShape(a, op.c_str(), v[0], v[i]);
  }
  if (a.ok() && (kind < kActGelu || kind > kActSilu)) a.error(op + ": unknown activation code");
  char* out = outArg(a, 1 + nIn, a.ok() ? v[0].dtype : kF32, v[0].numel());
  if (ready(a) && v[0].numel() > 0) {
    if (nIn == 1)
      activation(kind, v[0], out);
    else
      activationBackward(kind, v[0], v[1], out);
  }
}

}  // namespace

void Activation(Args& a) { ActivationCall(a, 1); }
void ActivationBackward(Args& a) { ActivationCall(a, 2); }

}  // namespace cr
