// where and clamp: selections whose gradient is routed by a mask.

import { kernels } from "../backend/registry.js";
import { isFloat } from "../core/dtype.js";
import { broadcastShapes, fmtShape } from "../core/shape.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { eq, ge, le, logicalAnd, mul } from "./arithmetic.js";
import { defineOp } from "./define.js";
import { fmt, num } from "./explain-rule.js";
import {
  asTensor,
  binaryRaw,
  broadcastView,
  castRaw,
  cloneRaw,
  type Operand,
  resultType,
  scalarRaw,
  zerosRaw,
} from "./unrecorded.js";

/** The where primitive: cond ? a : b over three broadcasting tensors. */
export const whereOp = defineOp<undefined>({
  name: "where",
  forward: ([cond, a, b]) => {
    if (cond!.dtype !== "bool") {
      throw new TypeError(
        `where: condition must be a bool tensor, got ${cond!.dtype} of shape ${fmtShape(cond!.shape)}`,
      );
    }
    const shape = broadcastShapes("where", cond!.shape, a!.shape, b!.shape);
    const dt = resultType([a!, b!]);
    const out = zerosRaw(shape, dt);
    const [ac, bc] = [castRaw(a!, dt), castRaw(b!, dt)];
    kernels().where(
      broadcastView(cond!, shape),
      broadcastView(ac, shape),
      broadcastView(bc, shape),
      out.storage.handle,
      dt,
    );
    return out;
  },
  save: { inputs: [0] },
  backward: (g, { inputs: [cond] }) => [null, where(cond!, g, 0), where(cond!, 0, g)],
  explain: {
    text: (a) => `where(${a[0]}, ${a[1]}, ${a[2]})`,
    tex: (a) => `${a[0]}\\,?\\,${a[1]} : ${a[2]}`,
    rule: "∂where(c,a,b)/∂a = [c], ∂/∂b = [not c]",
    ruleTex: "\\frac{\\partial}{\\partial a} = [c],\\; \\frac{\\partial}{\\partial b} = [\\lnot c]",
    gate: "route",
    local: (k, [c]) => num(k === 1 ? (c ? 1 : 0) : c ? 0 : 1),
  },
  samples: [
    {
      inputs: [{ shape: [2, 3], domain: "bool" }, { shape: [2, 3] }, { shape: [3] }],
      attrs: undefined,
      torch: "torch.where(x0, x1, x2)",
    },
  ],
});

/** cond ? a : b, elementwise with broadcasting; the gradient goes to the branch that was taken. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const dt = resultType([a, b]);
  return whereOp([cond, asTensor(a, dt), asTensor(b, dt)], undefined);
}

interface ClampAttrs {
  min?: number;
  max?: number;
}

function bounds(attrs: unknown): string {
  const { min, max } = (attrs ?? {}) as ClampAttrs;
  return [min === undefined ? "" : `min=${fmt(min)}`, max === undefined ? "" : `max=${fmt(max)}`]
    .filter(Boolean)
    .join(", ");
}

/** The clamp primitive: x limited to [min, max]. */
export const clampOp = defineOp<ClampAttrs>({
  name: "clamp",
  forward: ([x], { min, max }) => {
    const dt = x!.dtype;
    const bound = (v: number) => scalarRaw(v, isFloat(dt) || Number.isInteger(v) ? dt : "float32");
    let y = x!;
    if (min !== undefined) y = binaryRaw("clamp", "maximum", y, bound(min), resultType([y, min]), resultType([y, min]));
    if (max !== undefined) y = binaryRaw("clamp", "minimum", y, bound(max), resultType([y, max]), resultType([y, max]));
    return y === x ? cloneRaw(x!) : y;
  },
  save: { inputs: [0] },
  // the gradient passes where min <= x <= max (bounds included, as in PyTorch)
  backward: (g, { inputs: [x], attrs: { min, max } }) => {
    let pass = eq(x!, x!);
    if (min !== undefined) pass = logicalAnd(pass, ge(x!, min));
    if (max !== undefined) pass = logicalAnd(pass, le(x!, max));
    return [mul(g, pass)];
  },
  explain: {
    text: (a, at) => `clamp(${a[0]}, ${bounds(at)})`,
    tex: (a, at) => `\\operatorname{clamp}(${a[0]}, ${bounds(at)})`,
    rule: "d/dx clamp(x) = 1 inside the bounds, 0 outside",
    ruleTex: "\\frac{d}{dx}\\operatorname{clamp}(x) = [\\min \\le x \\le \\max]",
    gate: "route",
    local: (_k, [x], _y, at) => {
      const { min, max } = at as ClampAttrs;
      return num((min === undefined || x! >= min) && (max === undefined || x! <= max) ? 1 : 0);
    },
  },
  // bounds sit between the sample grid's values, so no element lands on a kink
  samples: [
    { inputs: [{ shape: [2, 3] }], attrs: { min: -0.55, max: 0.75 }, torch: "torch.clamp(x0, -0.55, 0.75)" },
    { inputs: [{ shape: [4] }], attrs: { min: 0.25 }, torch: "torch.clamp(x0, min=0.25)" },
    { inputs: [{ shape: [4] }], attrs: { max: -0.45 }, torch: "torch.clamp(x0, max=-0.45)" },
  ],
});

/** Limits x to [min, max]; either bound may be left out. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new RangeError("clamp: at least one of min and max must be given");
  }
  return clampOp([x], { min: min ?? undefined, max: max ?? undefined });
}
