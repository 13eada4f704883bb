// where and clamp: selections whose gradient is routed by a mask.

import { kernels } from "../backend/registry.js";
import { broadcastShapes, fmtShape } from "../core/shape.js";
import { isFloat } from "../core/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { defineOp } from "./define.js";
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

const whereOp = defineOp<undefined>({
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

const clampOp = defineOp<ClampAttrs>({
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
    let pass = x!.eq(x!);
    if (min !== undefined) pass = pass.logicalAnd(x!.ge(min));
    if (max !== undefined) pass = pass.logicalAnd(x!.le(max));
    return [g.mul(pass)];
  },
});

/** Limits x to [min, max]; either bound may be left out. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new RangeError("clamp: at least one of min and max must be given");
  }
  return clampOp([x], { min: min ?? undefined, max: max ?? undefined });
}
