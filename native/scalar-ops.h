// One element of every unary and binary kernel, as a template on the op code so each op gets its
// own loop. The rules mirror the reference backend (src/backend/js/elementwise.ts) exactly,
// including JavaScript's Math.pow special cases. A new op in op-list.gen.h needs one line here,
// its kernel; until it has one the build fails.
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

/** False for every op, but only once Op is known: a static_assert on it fires only in the branch reached. */
template <int Op>
inline constexpr bool kNoKernelFor = false;

/**
 * op(x). Predicates return bool, everything else T: the return type is what marks an op as a
 * predicate (see isUnaryPredicate), so a new one is classified by writing its kernel.
 */
template <int Op, class T>
inline auto unaryFn(T x) {
  if constexpr (Op == kNeg) return -x;
  else if constexpr (Op == kExp) return std::exp(x);
  else if constexpr (Op == kLog) return std::log(x);
  else if constexpr (Op == kLog1p) return std::log1p(x);
  else if constexpr (Op == kLog2) return std::log2(x);
  else if constexpr (Op == kExpm1) return std::expm1(x);
  else if constexpr (Op == kSqrt) return std::sqrt(x);
  else if constexpr (Op == kRsqrt) return T(1) / std::sqrt(x);
  else if constexpr (Op == kAbs) return std::fabs(x);
  // sign(NaN) = 0, as in PyTorch
  else if constexpr (Op == kSign) return x > 0 ? T(1) : x < 0 ? T(-1) : T(0);
  else if constexpr (Op == kSin) return std::sin(x);
  else if constexpr (Op == kCos) return std::cos(x);
  else if constexpr (Op == kTan) return std::tan(x);
  else if constexpr (Op == kTanh) return std::tanh(x);
  else if constexpr (Op == kSigmoid) return sigmoidOf(x);
  else if constexpr (Op == kRelu) return x > 0 ? x : x != x ? x : T(0);
  else if constexpr (Op == kReciprocal) return T(1) / x;
  else if constexpr (Op == kErf) return std::erf(x);
  else if constexpr (Op == kFloor) return std::floor(x);
  else if constexpr (Op == kCeil) return std::ceil(x);
  // half to even, as PyTorch does (the default rounding mode)
  else if constexpr (Op == kRound) return std::nearbyint(x);
  else if constexpr (Op == kSquare) return x * x;
  else if constexpr (Op == kLog10) return std::log10(x);
  else if constexpr (Op == kExp2) return std::exp2(x);
  else if constexpr (Op == kTrunc) return std::trunc(x);
  else if constexpr (Op == kFrac) return x - std::trunc(x);
  else if constexpr (Op == kAsin) return std::asin(x);
  else if constexpr (Op == kAcos) return std::acos(x);
  else if constexpr (Op == kAtan) return std::atan(x);
  else if constexpr (Op == kSinh) return std::sinh(x);
  else if constexpr (Op == kCosh) return std::cosh(x);
  else if constexpr (Op == kAsinh) return std::asinh(x);
  else if constexpr (Op == kAcosh) return std::acosh(x);
  else if constexpr (Op == kAtanh) return std::atanh(x);
  else if constexpr (Op == kDeg2rad) return x * T(0.017453292519943295);
  else if constexpr (Op == kRad2deg) return x * T(57.29577951308232);
  // sin(πx)/(πx), 1 at 0; π in T, so float rounds as PyTorch's float kernel does
  else if constexpr (Op == kSinc) {
    if (x == 0) return T(1);
    const T px = T(3.14159265358979323846) * x;
    return static_cast<T>(std::sin(px) / px);
  }
  else if constexpr (Op == kIsnan) return x != x;
  else if constexpr (Op == kIsfinite) return std::isfinite(x);
  // NaN counts as true in the logical ops, as in PyTorch (x != 0, not JavaScript's truthiness)
  else if constexpr (Op == kLogicalNot) return x == 0;
  else if constexpr (Op == kIsinf) return std::isinf(x);
  else if constexpr (Op == kIsposinf) return std::isinf(x) && x > 0;
  else if constexpr (Op == kIsneginf) return std::isinf(x) && x < 0;
  // true for −0 and a NaN carrying the sign bit, as the reference's signbit
  else if constexpr (Op == kSignbit) return static_cast<bool>(std::signbit(x));
  else
    static_assert(kNoKernelFor<Op>,
                  "unaryFn has no kernel for unary op number Op (its place in CR_UNARY_OPS, from 0): add its line");
}

/** True for the unary ops whose result is a truth value (their kernel returns bool). */
template <int Op>
inline constexpr bool isUnaryPredicate = std::is_same_v<decltype(unaryFn<Op>(0.0)), bool>;

/** op(a, b); predicates (comparisons, logical ops) return bool, the others T, as for unaryFn. */
template <int Op, class T>
inline auto binaryFn(T a, T b) {
  if constexpr (Op == kAdd) return a + b;
  else if constexpr (Op == kSub) return a - b;
  else if constexpr (Op == kMul) return a * b;
  else if constexpr (Op == kDiv) return a / b;
  else if constexpr (Op == kPow) {
    // Math.pow: NaN exponents and (±1) ** ±Infinity give NaN, unlike C's pow
    if (b != b) return b;
    if ((a == 1 || a == -1) && std::isinf(b)) return std::numeric_limits<T>::quiet_NaN();
    return static_cast<T>(std::pow(a, b));
  }
  // NaN in either operand wins, as in the reference (and torch.maximum)
  else if constexpr (Op == kMaximum) return a != a || b != b ? a + b : a > b ? a : b;
  else if constexpr (Op == kMinimum) return a != a || b != b ? a + b : a < b ? a : b;
  else if constexpr (Op == kEq) return a == b;
  else if constexpr (Op == kNe) return a != b;
  else if constexpr (Op == kLt) return a < b;
  else if constexpr (Op == kLe) return a <= b;
  else if constexpr (Op == kGt) return a > b;
  else if constexpr (Op == kGe) return a >= b;
  else if constexpr (Op == kLogicalAnd) return a != 0 && b != 0;
  else if constexpr (Op == kLogicalOr) return a != 0 || b != 0;
  else if constexpr (Op == kAtan2) return std::atan2(a, b);
  else if constexpr (Op == kRemainder) {
    // Python-style: the result takes the divisor's sign, as in torch.remainder
    const T r = std::fmod(a, b);
    return r != 0 && (r < 0) != (b < 0) ? r + b : r;
  }
  // relu's gradient: a passes where relu's output b is positive (not at 0 or NaN)
  else if constexpr (Op == kReluBackward) return b > 0 ? a : T(0);
  // log(e^a + e^b) without overflow; equal arguments (infinities included) give a + ln 2
  else if constexpr (Op == kLogaddexp)
    return static_cast<T>(a == b ? a + T(0.6931471805599453)
                                 : std::max(a, b) + std::log1p(std::exp(-std::fabs(a - b))));
  else if constexpr (Op == kLogaddexp2)
    return static_cast<T>(a == b ? a + T(1)
                                 : std::max(a, b) + std::log1p(std::exp2(-std::fabs(a - b))) / T(0.6931471805599453));
  else if constexpr (Op == kHypot) return static_cast<T>(std::hypot(a, b));
  else if constexpr (Op == kCopysign) return static_cast<T>(std::copysign(a, b));
  // C's fmod; on ints a remainder by 0 is 0, as the reference's store of NaN into an Int32Array
  else if constexpr (Op == kFmod) {
    if constexpr (std::is_integral_v<T>) return b == 0 ? T(0) : static_cast<T>(a % b);
    else return std::fmod(a, b);
  }
  // a·log(b), 0 where a is 0 (unless b is NaN), as in torch.xlogy
  else if constexpr (Op == kXlogy) return static_cast<T>(b != b ? b : a == 0 ? T(0) : a * std::log(b));
  // Python's float floor division (1 // 0.1 is 9), as PyTorch's div_floor; a zero divisor gives a/b.
  // Integer divisors of 0 never get here: the op refuses them first.
  else if constexpr (Op == kFloorDivide) {
    if (b == 0) return static_cast<T>(a / b);
    const T mod = std::fmod(a, b);
    T div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= T(1);
    if (div == 0) return std::copysign(T(0), a / b);
    const T floor = std::floor(div);
    return div - floor > T(0.5) ? floor + T(1) : floor;
  }
  else
    static_assert(kNoKernelFor<Op>,
                  "binaryFn has no kernel for binary op number Op (its place in CR_BINARY_OPS, from 0): add its line");
}

/** True for the binary ops whose result is a truth value (their kernel returns bool). */
template <int Op>
inline constexpr bool isBinaryPredicate = std::is_same_v<decltype(binaryFn<Op>(0.0, 0.0)), bool>;

// One `case` per op in op-list.gen.h, handing f the code as a compile-time constant.
#define CR_CASE_CALLING_F(constant, name) \
  case constant:                          \
    return f(std::integral_constant<int, constant>{});

/** Calls f(std::integral_constant<int, op>) so a runtime op code selects a template instance. */
template <class F>
inline void withUnaryOp(int op, F&& f) {
  switch (op) { CR_UNARY_OPS(CR_CASE_CALLING_F) }
}

/** The same for binary op codes. */
template <class F>
inline void withBinaryOp(int op, F&& f) {
  switch (op) { CR_BINARY_OPS(CR_CASE_CALLING_F) }
}

#undef CR_CASE_CALLING_F

}  // namespace cr
