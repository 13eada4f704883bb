// Elementwise unary and binary kernels over strided views. Each call coalesces its operands into
// a walk, picks one run function for the dtypes and op (an instance of the op's scalar kernel
// from scalar-ops.h), and hands it the innermost runs; float runs try the ISA's vector loops
// first. Large tensors are split by linear position across the worker pool.

#include <type_traits>

#include "elementwise-walk.h"
#include "isa.h"
#include "kernels.h"
#include "scalar-ops.h"

namespace cr {
namespace {

/** Stores v with typed-array rules; a bool result of arithmetic is 0 or 1, as in PyTorch (True + True is True). */
inline void storeResult(char* o, int odt, int64_t i, double v, bool arithmetic) {
  if (arithmetic && odt == kBool)
    reinterpret_cast<uint8_t*>(o)[i] = toUint8(v) != 0;
  else
    storeDouble(o, odt, i, v);
}

// ---- unary --------------------------------------------------------------------------------

using UnaryRun = void (*)(int op, const char* x, int xdt, int64_t xo, int64_t sx, char* o, int odt, int64_t oo,
                          int64_t n);

template <int Op, class T>
void unaryFloat(int op, const char* x, int, int64_t xo, int64_t sx, char* o, int, int64_t oo, int64_t n) {
  // NOTE: a kernel returning double for float input would compute float tensors in double
  static_assert(std::is_same_v<decltype(unaryFn<Op, T>(T())), T>,
                "a unary kernel must return T (or bool for a predicate)");
  const T* xp = reinterpret_cast<const T*>(x) + xo;
  T* out = reinterpret_cast<T*>(o) + oo;
  if (floatLoops<T>().unary(op, xp, sx, out, n)) return;
  for (int64_t i = 0; i < n; i++) out[i] = unaryFn<Op, T>(xp[i * sx]);
}

// any dtypes: computed in double and stored with typed-array rules, as the reference does
template <int Op>
void unaryAny(int, const char* x, int xdt, int64_t xo, int64_t sx, char* o, int odt, int64_t oo, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    storeResult(o, odt, oo + i, unaryFn<Op, double>(loadAsDouble(x, xdt, xo + i * sx)), !isUnaryPredicate<Op>);
}

UnaryRun pickUnary(int op, int xdt, int odt) {
  UnaryRun run = nullptr;
  withUnaryOp(op, [&](auto opc) {
    constexpr int Op = decltype(opc)::value;
    // a predicate's result is bool whatever its input, so it never has a float-to-float loop
    if constexpr (!isUnaryPredicate<Op>) {
      if (xdt == odt && xdt == kF32) return void(run = unaryFloat<Op, float>);
      if (xdt == odt && xdt == kF64) return void(run = unaryFloat<Op, double>);
    }
    run = unaryAny<Op>;
  });
  return run;
}

bool costlyUnary(int op) {
  return !(op == kNeg || op == kAbs || op == kRelu || op == kSquare || op == kSign || op == kIsnan ||
           op == kLogicalNot || op == kFloor || op == kCeil || op == kRound || op == kIsfinite || op == kIsinf ||
           op == kIsposinf || op == kIsneginf || op == kSignbit);
}

// Elements per thread part of a transcendental the ISA's loops vectorise (a few tenths of a
// nanosecond each, where the C library's scalar calls cost several nanoseconds).
constexpr int64_t kVectorisedGrain = 1 << 14;

/** The grain of `op` from dtype dt to itself: vectorised transcendentals sit between the cheap and costly ops. */
int64_t unaryGrain(int op, int dt) {
  const bool anyFloat = (dt == kF32 || dt == kF64) && (op == kExp || op == kTanh || op == kSigmoid || op == kErf);
  const bool vectorised = anyFloat || (dt == kF32 && (op == kExpm1 || op == kLog || op == kLog1p));
  return vectorised ? kVectorisedGrain : costlyUnary(op) ? kCostlyGrain : kCheapGrain;
}

// ---- binary -------------------------------------------------------------------------------

using BinaryRun = void (*)(int op, const View& a, int64_t ao, int64_t sa, const View& b, int64_t bo, int64_t sb,
                           char* o, int odt, int64_t oo, int64_t n);

template <int Op, class T>
void binaryFloat(int op, const View& a, int64_t ao, int64_t sa, const View& b, int64_t bo, int64_t sb, char* o, int,
                 int64_t oo, int64_t n) {
  static_assert(std::is_same_v<decltype(binaryFn<Op, T>(T(), T())), T>,
                "a binary kernel must return T (or bool for a predicate)");
  const T* ap = reinterpret_cast<const T*>(a.data) + ao;
  const T* bp = reinterpret_cast<const T*>(b.data) + bo;
  T* out = reinterpret_cast<T*>(o) + oo;
  if (floatLoops<T>().binary(op, ap, sa, bp, sb, out, n)) return;
  for (int64_t i = 0; i < n; i++) out[i] = binaryFn<Op, T>(ap[i * sa], bp[i * sb]);
}

template <int Op, class T>
void compareFloat(int op, const View& a, int64_t ao, int64_t sa, const View& b, int64_t bo, int64_t sb, char* o, int,
                  int64_t oo, int64_t n) {
  const T* ap = reinterpret_cast<const T*>(a.data) + ao;
  const T* bp = reinterpret_cast<const T*>(b.data) + bo;
  uint8_t* out = reinterpret_cast<uint8_t*>(o) + oo;
  if (floatLoops<T>().compare(op, ap, sa, bp, sb, out, n)) return;
  for (int64_t i = 0; i < n; i++) out[i] = binaryFn<Op, T>(ap[i * sa], bp[i * sb]);
}

template <int Op>
void binaryAny(int, const View& a, int64_t ao, int64_t sa, const View& b, int64_t bo, int64_t sb, char* o, int odt,
               int64_t oo, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const double x = loadAsDouble(a.data, a.dtype, ao + i * sa);
    const double y = loadAsDouble(b.data, b.dtype, bo + i * sb);
    storeResult(o, odt, oo + i, binaryFn<Op, double>(x, y), !isBinaryPredicate<Op>);
  }
}

BinaryRun pickBinary(int op, int adt, int bdt, int odt) {
  BinaryRun run = nullptr;
  withBinaryOp(op, [&](auto opc) {
    constexpr int Op = decltype(opc)::value;
    const bool sameFloat = adt == bdt && (adt == kF32 || adt == kF64);
    if constexpr (isBinaryPredicate<Op>) {
      if (sameFloat && odt == kBool)
        return void(run = adt == kF32 ? compareFloat<Op, float> : compareFloat<Op, double>);
    } else {
      if (sameFloat && odt == adt) return void(run = adt == kF32 ? binaryFloat<Op, float> : binaryFloat<Op, double>);
    }
    run = binaryAny<Op>;
  });
  return run;
}

}  // namespace

void unary(int op, const View& x, char* out, int outDt) {
  const Walk w = walkWithDense(x);
  const UnaryRun run = pickUnary(op, x.dtype, outDt);
  const int64_t sx = w.inner(0);
  forAll(w, unaryGrain(op, outDt == x.dtype ? x.dtype : -1),
         [&](const int64_t* off, int64_t n) { run(op, x.data, x.dtype, off[0], sx, out, outDt, off[1], n); });
}

// ---- fused activations ---------------------------------------------------------------------

namespace {

// a strided run is gathered this many elements at a time into contiguous scratch
constexpr int64_t kGatherChunk = 256;

template <class T>
void activationRuns(int kind, const View& x, char* o) {
  const Walk w = walkWithDense(x);
  const int64_t sx = w.inner(0);
  const FloatLoops<T>& loops = floatLoops<T>();
  forAll(w, kVectorisedGrain, [&](const int64_t* off, int64_t n) {
    const T* xp = reinterpret_cast<const T*>(x.data) + off[0];
    T* out = reinterpret_cast<T*>(o) + off[1];
    if (sx != 1) {
      // out is contiguous: gather x into it and map it in place
      for (int64_t i = 0; i < n; i++) out[i] = xp[i * sx];
      xp = out;
    }
    loops.activation(kind, xp, out, n);
  });
}

template <class T>
void activationGradRuns(int kind, const View& g, const View& x, char* o) {
  int64_t os[kMaxDims];
  contiguousStrides(g.nd, g.shape, os);
  const int64_t* strides[3] = {g.strides, x.strides, os};
  const int64_t offsets[3] = {g.offset, x.offset, 0};
  const Walk w = coalesce(g.nd, g.shape, 3, strides, offsets);
  const int64_t sg = w.inner(0), sx = w.inner(1);
  const FloatLoops<T>& loops = floatLoops<T>();
  forAll(w, kVectorisedGrain, [&](const int64_t* off, int64_t n) {
    const T* gp = reinterpret_cast<const T*>(g.data) + off[0];
    const T* xp = reinterpret_cast<const T*>(x.data) + off[1];
    T* out = reinterpret_cast<T*>(o) + off[2];
    if (sg == 1 && sx == 1) return loops.activationGrad(kind, gp, xp, out, n);
    // a broadcast or strided operand: contiguous copies of both, a chunk at a time
    T gb[kGatherChunk], xb[kGatherChunk];
    for (int64_t i0 = 0; i0 < n; i0 += kGatherChunk) {
      const int64_t m = n - i0 < kGatherChunk ? n - i0 : kGatherChunk;
      for (int64_t i = 0; i < m; i++) gb[i] = gp[(i0 + i) * sg], xb[i] = xp[(i0 + i) * sx];
      loops.activationGrad(kind, gb, xb, out + i0, m);
    }
  });
}

}  // namespace

void activation(int kind, const View& x, char* out) {
  if (x.dtype == kF32) activationRuns<float>(kind, x, out);
  else activationRuns<double>(kind, x, out);
}

void activationBackward(int kind, const View& g, const View& x, char* out) {
  if (x.dtype == kF32) activationGradRuns<float>(kind, g, x, out);
  else activationGradRuns<double>(kind, g, x, out);
}

void binary(int op, const View& a, const View& b, char* out, int outDt) {
  int64_t os[kMaxDims];
  contiguousStrides(a.nd, a.shape, os);
  const int64_t* strides[3] = {a.strides, b.strides, os};
  const int64_t offsets[3] = {a.offset, b.offset, 0};
  const Walk w = coalesce(a.nd, a.shape, 3, strides, offsets);
  const BinaryRun run = pickBinary(op, a.dtype, b.dtype, outDt);
  const int64_t sa = w.inner(0), sb = w.inner(1);
  const bool costly = op == kPow || op == kAtan2 || op == kRemainder || op == kDiv || op == kFloorDivide;
  forAll(w, costly ? kCostlyGrain : kCheapGrain,
         [&](const int64_t* off, int64_t n) { run(op, a, off[0], sa, b, off[1], sb, out, outDt, off[2], n); });
}

}  // namespace cr
