// The fused Adam/AdamW update: one pass over a parameter, its gradient and its moments instead of
// the dozen elementwise kernels (and their temporaries) of the composed update. Each step rounds
// to the parameter's dtype where the composed ops would store, as the reference does.
// addonAdamStep is the addon's entry: adamStep(p, g, m, v, vmax | null), views in the descriptor,
// then lr, β₁, β₂, eps, weightDecay, decoupled, maximize, 1 − β₁ᵗ, √(1 − β₂ᵗ).

#include <cmath>

#include "calls.h"
#include "thread-pool.h"

namespace cr {
namespace {

constexpr int64_t kGrain = 1 << 15;

struct Hyper {
  double lr, beta1, beta2, eps, weightDecay, bc1, bc2;
  bool decoupled, maximize;
};

template <class T>
void adam(T* p, const T* g, T* m, T* v, T* vmax, int64_t n, const Hyper& h) {
  const T b1 = static_cast<T>(h.beta1), b2 = static_cast<T>(h.beta2);
  const T a1 = static_cast<T>(1 - h.beta1), a2 = static_cast<T>(1 - h.beta2);
  const T decay = static_cast<T>(1 - h.lr * h.weightDecay), wd = static_cast<T>(h.weightDecay);
  const T bc2 = static_cast<T>(h.bc2), eps = static_cast<T>(h.eps), step = static_cast<T>(-h.lr / h.bc1);
  const bool coupled = h.weightDecay != 0 && !h.decoupled, decoupled = h.weightDecay != 0 && h.decoupled;
  parallelFor(n, kGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
      T d = h.maximize ? -g[i] : g[i];
      T w = p[i];
      if (decoupled) w = w * decay;
      if (coupled) d = d + T(wd * w);
      const T mi = T(m[i] * b1) + T(a1 * d);
      const T vi = T(v[i] * b2) + T(a2 * T(d * d));
      m[i] = mi;
      v[i] = vi;
      T second = vi;
      if (vmax) {
        const T prev = vmax[i];
        second = prev != prev || vi != vi ? prev + vi : prev > vi ? prev : vi;
        vmax[i] = second;
      }
      const T denom = T(std::sqrt(second) / bc2) + eps;
      p[i] = w + T(step * T(mi / denom));
    }
  });
}

bool dense(const View& v, const View& like) {
  if (!sameShape(v, like) || v.dtype != like.dtype) return false;
  int64_t expect = 1;
  for (int d = v.nd - 1; d >= 0; d--) {
    if (v.shape[d] != 1 && v.strides[d] != expect) return false;
    expect *= v.shape[d];
  }
  return true;
}

template <class T>
T* at(const View& v) {
  return reinterpret_cast<T*>(v.data) + v.offset;
}

}  // namespace

void AdamStep(Args& a) {
  const View p = viewArg(a, 0), g = viewArg(a, 1), m = viewArg(a, 2), v = viewArg(a, 3);
  const View vmax = isNull(a, 4) ? View{} : viewArg(a, 4);
  Hyper h{};
  h.lr = next(a);
  h.beta1 = next(a);
  h.beta2 = next(a);
  h.eps = next(a);
  h.weightDecay = next(a);
  h.decoupled = next(a) != 0;
  h.maximize = next(a) != 0;
  h.bc1 = next(a);
  h.bc2 = next(a);
  if (a.ok() && (p.dtype != kF32 && p.dtype != kF64)) a.error("adamStep: expected a float parameter", true);
  if (a.ok() && (!dense(p, p) || !dense(g, p) || !dense(m, p) || !dense(v, p) || (vmax.nd > 0 && !dense(vmax, p))))
    a.error("adamStep: parameter, gradient and moments must be dense views of one shape and dtype");
  if (!ready(a)) return;
  const int64_t n = p.numel();
  if (p.dtype == kF32)
    adam(at<float>(p), at<float>(g), at<float>(m), at<float>(v), vmax.nd > 0 ? at<float>(vmax) : nullptr, n, h);
  else
    adam(at<double>(p), at<double>(g), at<double>(m), at<double>(v), vmax.nd > 0 ? at<double>(vmax) : nullptr, n, h);
}

}  // namespace cr
