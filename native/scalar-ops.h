// One element of every unary and binary kernel, as a template on the op code so each op gets its
// own loop. The rules mirror the reference backend (src/backend/js/elementwise.ts) exactly,
// including JavaScript's Math.pow special cases and truthiness for the logical ops.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "common.h"

namespace cr {

template <class T>
inline T sigmoidOf(T x) {
  // split by sign so that exp never overflows: for x << 0, 1/(1+e^-x) would be 1/inf
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

/** op(x) for the non-predicate unary ops. */
template <int Op, class T>
inline T unaryFn(T x) {
  if constexpr (Op == kNeg) return -x;
  if constexpr (Op == kExp) return std::exp(x);
  if constexpr (Op == kLog) return std::log(x);
  if constexpr (Op == kLog1p) return std::log1p(x);
  if constexpr (Op == kExpm1) return std::expm1(x);
  if constexpr (Op == kSqrt) return std::sqrt(x);
  if constexpr (Op == kRsqrt) return T(1) / std::sqrt(x);
  if constexpr (Op == kAbs) return std::fabs(x);
  // sign(NaN) = 0, as in PyTorch
  if constexpr (Op == kSign) return x > 0 ? T(1) : x < 0 ? T(-1) : T(0);
  if constexpr (Op == kSin) return std::sin(x);
  if constexpr (Op == kCos) return std::cos(x);
  if constexpr (Op == kTan) return std::tan(x);
  if constexpr (Op == kTanh) return std::tanh(x);
  if constexpr (Op == kSigmoid) return sigmoidOf(x);
  if constexpr (Op == kRelu) return x > 0 ? x : x != x ? x : T(0);
  if constexpr (Op == kReciprocal) return T(1) / x;
  if constexpr (Op == kErf) return std::erf(x);
  if constexpr (Op == kFloor) return std::floor(x);
  if constexpr (Op == kCeil) return std::ceil(x);
  // half to even, as PyTorch does (the default rounding mode)
  if constexpr (Op == kRound) return std::nearbyint(x);
  if constexpr (Op == kSquare) return x * x;
  if constexpr (Op == kIsnan) return x != x;
  if constexpr (Op == kIsfinite) return std::isfinite(x);
  if constexpr (Op == kLogicalNot) return !truthy(x);
  return x;
}

/** True for the unary ops whose result is a bool whatever the input. */
constexpr bool isPredicate(int op) { return op == kIsnan || op == kIsfinite || op == kLogicalNot; }

/** True for the binary ops whose result is a bool. */
constexpr bool isComparison(int op) { return op >= kEq && op <= kLogicalOr; }

/** op(a, b); comparisons give 1 or 0. */
template <int Op, class T>
inline T binaryFn(T a, T b) {
  if constexpr (Op == kAddOp) return a + b;
  if constexpr (Op == kSubOp) return a - b;
  if constexpr (Op == kMulOp) return a * b;
  if constexpr (Op == kDivOp) return a / b;
  if constexpr (Op == kPow) {
    // Math.pow: NaN exponents and (±1) ** ±Infinity give NaN, unlike C's pow
    if (b != b) return b;
    if ((a == 1 || a == -1) && std::isinf(b)) return std::numeric_limits<T>::quiet_NaN();
    return std::pow(a, b);
  }
  if constexpr (Op == kMaximumOp) return a != a || b != b ? a + b : a > b ? a : b;
  if constexpr (Op == kMinimumOp) return a != a || b != b ? a + b : a < b ? a : b;
  if constexpr (Op == kEq) return a == b;
  if constexpr (Op == kNe) return a != b;
  if constexpr (Op == kLt) return a < b;
  if constexpr (Op == kLe) return a <= b;
  if constexpr (Op == kGt) return a > b;
  if constexpr (Op == kGe) return a >= b;
  if constexpr (Op == kLogicalAnd) return truthy(a) && truthy(b);
  if constexpr (Op == kLogicalOr) return truthy(a) || truthy(b);
  if constexpr (Op == kAtan2) return std::atan2(a, b);
  if constexpr (Op == kRemainder) {
    // Python-style: the result takes the divisor's sign, as in torch.remainder
    const T r = std::fmod(a, b);
    return r != 0 && (r < 0) != (b < 0) ? r + b : r;
  }
  // relu's gradient: a passes where relu's output b is positive (not at 0 or NaN)
  if constexpr (Op == kReluBackward) return b > 0 ? a : T(0);
  return a;
}

/** Calls f(std::integral_constant<int, op>) so a runtime op code selects a template instance. */
template <class F>
inline void withUnaryOp(int op, F&& f) {
#define CR_CASE(i) \
  case i:          \
    return f(std::integral_constant<int, i>{});
  switch (op) {
    CR_CASE(0) CR_CASE(1) CR_CASE(2) CR_CASE(3) CR_CASE(4) CR_CASE(5) CR_CASE(6) CR_CASE(7) CR_CASE(8) CR_CASE(9)
    CR_CASE(10) CR_CASE(11) CR_CASE(12) CR_CASE(13) CR_CASE(14) CR_CASE(15) CR_CASE(16) CR_CASE(17) CR_CASE(18)
    CR_CASE(19) CR_CASE(20) CR_CASE(21) CR_CASE(22) CR_CASE(23)
  }
}

/** The same for binary op codes. */
template <class F>
inline void withBinaryOp(int op, F&& f) {
  switch (op) {
    CR_CASE(0) CR_CASE(1) CR_CASE(2) CR_CASE(3) CR_CASE(4) CR_CASE(5) CR_CASE(6) CR_CASE(7) CR_CASE(8) CR_CASE(9)
    CR_CASE(10) CR_CASE(11) CR_CASE(12) CR_CASE(13) CR_CASE(14) CR_CASE(15) CR_CASE(16) CR_CASE(17)
  }
#undef CR_CASE
}

}  // namespace cr
