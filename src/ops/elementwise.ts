// Elementwise primitives: one declaration each, forward kernel beside its derivative. Binary
// rules return full-shape gradients; the engine sums them back over broadcast dims.

import type { BinaryOp, UnaryOp } from "../backend/kernels.js";
import { type DType, isFloat } from "../core/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { defineOp, type OpCtx } from "./define.js";
import { asTensor, binaryRaw, type Operand, resultType, unaryRaw } from "./unrecorded.js";
import { where } from "./where.js";

type Rule = (g: Tensor, ctx: OpCtx<undefined>) => (Tensor | null)[];

/** Float result for float-only functions of int inputs (exp(int) is float32, as in PyTorch). */
const floatOf = (d: DType): DType => (isFloat(d) ? d : "float32");

function unary(name: UnaryOp, outDtype: (d: DType) => DType, save: "input" | "output" | "none", rule?: Rule) {
  const op = defineOp<undefined>({
    name,
    forward: ([x]) => {
      const out = outDtype(x!.dtype);
      return unaryRaw(name, x!, out, out === "bool" ? x!.dtype : out);
    },
    save: save === "input" ? { inputs: [0] } : save === "output" ? { output: true } : undefined,
    backward: rule,
  });
  return (x: Tensor) => op([x], undefined);
}

const same = (d: DType) => d;
const bool = () => "bool" as DType;

/** -x */
export const neg = unary("neg", same, "none", (g) => [g.neg()]);
/** e^x; d e^x = e^x dx, from the saved output */
export const exp = unary("exp", floatOf, "output", (g, { output: y }) => [g.mul(y)]);
/** ln x; d ln x = dx / x */
export const log = unary("log", floatOf, "input", (g, { inputs: [x] }) => [g.div(x!)]);
/** ln(1 + x), accurate near 0; d = dx / (1 + x) */
export const log1p = unary("log1p", floatOf, "input", (g, { inputs: [x] }) => [g.div(x!.add(1))]);
/** e^x - 1, accurate near 0; d = e^x dx = (y + 1) dx */
export const expm1 = unary("expm1", floatOf, "output", (g, { output: y }) => [g.mul(y.add(1))]);
/** √x; d√x = dx / (2√x) */
export const sqrt = unary("sqrt", floatOf, "output", (g, { output: y }) => [g.div(y.mul(2))]);
/** 1/√x; d = -½ x^(-3/2) dx = -½ y³ dx */
export const rsqrt = unary("rsqrt", floatOf, "output", (g, { output: y }) => [g.mul(y.pow(3)).mul(-0.5)]);
/** |x|; d|x| = sign(x) dx (0 at 0, the subgradient PyTorch picks) */
export const abs = unary("abs", same, "input", (g, { inputs: [x] }) => [g.mul(x!.sign())]);
/** sign(x) ∈ {-1, 0, 1}; its derivative is 0 everywhere it exists */
export const sign = unary("sign", same, "none", (g) => [g.mul(0)]);
/** sin x; d = cos x dx */
export const sin = unary("sin", floatOf, "input", (g, { inputs: [x] }) => [g.mul(x!.cos())]);
/** cos x; d = -sin x dx */
export const cos = unary("cos", floatOf, "input", (g, { inputs: [x] }) => [g.mul(x!.sin()).neg()]);
/** tan x; d = (1 + tan² x) dx */
export const tan = unary("tan", floatOf, "output", (g, { output: y }) => [g.mul(y.mul(y).add(1))]);
/** tanh x; d = (1 - tanh² x) dx */
export const tanh = unary("tanh", floatOf, "output", (g, { output: y }) => [g.mul(y.mul(y).neg().add(1))]);
/**
 * σ(x) = 1 / (1 + e^-x); dσ = σ(1 - σ) dx.
 * NOTE: a primitive, not composed: the composed form's gradient is 0·inf = NaN for x << 0.
 */
export const sigmoid = unary("sigmoid", floatOf, "output", (g, { output: y }) => [g.mul(y).mul(y.neg().add(1))]);
/** max(x, 0); the gradient passes where x > 0 (0 at 0, as in PyTorch; a select, so never -0) */
export const relu = unary("relu", same, "output", (g, { output: y }) => [reluBackward(g, y)]);
/** 1/x; d = -dx / x² = -y² dx */
export const reciprocal = unary("reciprocal", floatOf, "output", (g, { output: y }) => [g.mul(y.mul(y)).neg()]);
/** The error function; d erf = 2/√π e^(-x²) dx */
export const erf = unary("erf", floatOf, "input", (g, { inputs: [x] }) => [
  g.mul(x!.mul(x!).neg().exp()).mul(2 / Math.sqrt(Math.PI)),
]);
/** x² ; d = 2x dx */
export const square = unary("square", same, "input", (g, { inputs: [x] }) => [g.mul(x!).mul(2)]);
/** ⌊x⌋ (zero gradient, as in PyTorch) */
export const floor = unary("floor", same, "none", (g) => [g.mul(0)]);
/** ⌈x⌉ (zero gradient) */
export const ceil = unary("ceil", same, "none", (g) => [g.mul(0)]);
/** Round half to even (zero gradient) */
export const round = unary("round", same, "none", (g) => [g.mul(0)]);
/** Elementwise NaN test. */
export const isnan = unary("isnan", bool, "none");
/** Elementwise finiteness test. */
export const isfinite = unary("isfinite", bool, "none");
/** Elementwise logical not. */
export const logicalNot = unary("logicalNot", bool, "none");

type BinRule = (g: Tensor, ctx: OpCtx<undefined>) => (Tensor | null)[];

/** What a product saves: each input's gradient needs the other input, so only those are kept. */
export const savesOther = (needs: readonly boolean[]) => [...(needs[1] ? [0] : []), ...(needs[0] ? [1] : [])];

function binary(
  name: BinaryOp,
  kind: "arith" | "float" | "compare",
  save: number[] | ((needs: readonly boolean[]) => number[]),
  rule?: BinRule,
) {
  const op = defineOp<undefined>({
    name,
    forward: ([a, b]) => {
      const dt = a!.dtype === b!.dtype ? a!.dtype : resultType([a!, b!]);
      const inDt = kind === "float" ? floatOf(dt) : dt;
      const outDt = kind === "compare" ? "bool" : inDt;
      return binaryRaw(name, name, a!, b!, inDt, outDt);
    },
    save: typeof save === "function" || save.length ? { inputs: save } : undefined,
    backward: rule,
  });
  return (a: Operand, b: Operand): Tensor => {
    const dt = resultType([a, b]);
    return op([asTensor(a, dt), asTensor(b, dt)], undefined);
  };
}

/** a + b; add distributes: both inputs get the upstream gradient */
export const add = binary("add", "arith", [], (g) => [g, g]);
/** a - b */
export const sub = binary("sub", "arith", [], (g) => [g, g.neg()]);
/** a · b; mul swaps: each input's gradient is the upstream times the other input */
export const mul = binary("mul", "arith", savesOther, (g, { inputs: [a, b], needsInputGrad: [da, db] }) => [
  da ? g.mul(b!) : null,
  db ? g.mul(a!) : null,
]);
/** a / b (true division: ints give float); d(a/b) = da/b - a db/b² */
export const div = binary(
  "div",
  "float",
  (needs) => (needs[1] ? [0, 1] : [1]),
  (g, { inputs: [a, b], needsInputGrad: [da, db] }) => [
    da ? g.div(b!) : null,
    db ? g.mul(a!).div(b!.mul(b!)).neg() : null,
  ],
);
/**
 * a^b; d = b a^(b-1) da + a^b ln(a) db.
 * NOTE: as in PyTorch, b = 0 gives da no gradient (0^0 would be 0·inf), and where a = 0 and b >= 0
 * the ln term is masked to 0, so x^2 has a finite grad at 0. Ints stay ints (int ** int is int).
 */
export const pow = binary("pow", "arith", [0, 1], (g, { inputs: [a, b] }) => [
  g.mul(where(b!.eq(0), 0, b!.mul(a!.pow(b!.sub(1))))),
  g.mul(where(a!.eq(0).logicalAnd(b!.ge(0)), 0, a!.pow(b!).mul(a!.log()))),
]);
/** Elementwise max; max routes the gradient to the larger input (split evenly on ties) */
export const maximum = binary("maximum", "arith", [0, 1], (g, { inputs: [a, b] }) => {
  const wa = a!.gt(b!).add(a!.eq(b!).mul(0.5));
  return [g.mul(wa), g.mul(wa.neg().add(1))];
});
/** Elementwise min; routes like max */
export const minimum = binary("minimum", "arith", [0, 1], (g, { inputs: [a, b] }) => {
  const wa = a!.lt(b!).add(a!.eq(b!).mul(0.5));
  return [g.mul(wa), g.mul(wa.neg().add(1))];
});
/** atan2(a, b); d = (b da - a db) / (a² + b²) */
export const atan2 = binary("atan2", "float", [0, 1], (g, { inputs: [a, b] }) => {
  const r = a!.mul(a!).add(b!.mul(b!));
  return [g.mul(b!).div(r), g.mul(a!).div(r).neg()];
});
/** Python-style remainder (sign of the divisor); d = da - ⌊a/b⌋ db */
export const remainder = binary("remainder", "arith", [0, 1], (g, { inputs: [a, b] }) => [
  g,
  g.mul(a!.div(b!).floor()).neg(),
]);
/**
 * relu's backward in one kernel pass: g where relu's output y is positive, else 0 (PyTorch's
 * threshold_backward; the same as where(y > 0, g, 0) without the mask). Linear in g, so its own
 * gradient passes the same way; y, a step function of x there, gets none.
 */
const reluBackward = binary("reluBackward", "arith", [1], (gg, { inputs: [, y] }) => [reluBackward(gg, y!), null]);
/** a == b */
export const eq = binary("eq", "compare", []);
/** a != b */
export const ne = binary("ne", "compare", []);
/** a < b */
export const lt = binary("lt", "compare", []);
/** a <= b */
export const le = binary("le", "compare", []);
/** a > b */
export const gt = binary("gt", "compare", []);
/** a >= b */
export const ge = binary("ge", "compare", []);
/** Elementwise logical and. */
export const logicalAnd = binary("logicalAnd", "compare", []);
/** Elementwise logical or. */
export const logicalOr = binary("logicalOr", "compare", []);
