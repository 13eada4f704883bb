// In-place ops (trailing underscore). Each computes its out-of-place twin, writes the result into
// the tensor's own storage and bumps the shared version counter, so any saved copy of the old
// values is detected at backward time. When recording, the tensor takes over the twin's graph
// node, so gradients still flow through it.

import type { BinaryOp } from "../backend/kernels.js";
import { kernels } from "../backend/registry.js";
import { isFloat, promoteTypes } from "../core/dtype.js";
import { fmtShape, sameShape } from "../core/shape.js";
import { isGradEnabled, noGrad } from "../graph/grad-mode.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";
import { TensorBase as Tensor } from "../tensor/tensor.js";
import { add } from "./arithmetic.js";
import { asTensor, broadcastView, castRaw, fullRaw, type Operand, resultType, wrap } from "./unrecorded.js";
import { clone } from "./view.js";

/** Overwrites self's elements with `value` (broadcast to self's shape) and bumps the version. */
export function writeInto(self: Tensor, value: Tensor, op: string): void {
  if (!sameShape(value.shape, self.shape)) {
    const ok =
      value.ndim <= self.ndim && value.shape.every((s, i) => s === 1 || s === self.shape[self.ndim - value.ndim + i]);
    if (!ok)
      throw new RangeError(
        `${op}: result of shape ${fmtShape(value.shape)} does not fit in-place into ${fmtShape(self.shape)}`,
      );
  }
  if (self.numel()) kernels().copy(broadcastView(value, self.shape), self._view());
  self.storage.version++;
}

/**
 * Runs `compute` (the out-of-place twin) and stores its result in self. Refuses leaves that
 * require grad while recording, as PyTorch does.
 */
export function inplace(self: Tensor, op: string, compute: (current: Tensor) => Tensor): Tensor {
  const recording = isGradEnabled();
  if (recording && self.isLeaf && self.requiresGrad) {
    throw new Error(
      `${op}: a leaf tensor that requires grad is being used in an in-place operation; ` +
        `wrap the update in cr.noGrad(() => …) or use the out-of-place ${op.slice(0, -1)}`,
    );
  }
  if (!recording) {
    const result = compute(self);
    checkCast(op, self, result);
    writeInto(self, result, op);
    return self;
  }
  // NOTE: compute from a copy of the old values, so rules that saved them are not invalidated
  const result = compute(self.requiresGrad ? clone(self) : noGrad(() => clone(self)));
  checkCast(op, self, result);
  if (!result.requiresGrad) {
    writeInto(self, result, op);
    return self;
  }
  if (self._base && self._base.requiresGrad) {
    throw new Error(
      `${op}: in-place ops on a view of a tensor that requires grad are not supported while recording; ` +
        `use the out-of-place ${op.slice(0, -1)} (e.g. via cr.cat or cr.where)`,
    );
  }
  writeInto(self, result, op);
  self.gradFn = result.gradFn;
  self.outputNr = result.outputNr;
  return self;
}

/**
 * The fast path of add_/sub_/mul_/div_ when nothing records (optimizer steps): one kernel pass
 * writing straight into self's dense buffer, no temporaries (add_/sub_ with `alpha` use axpy, so
 * alpha · other is never materialised). Returns null when it does not apply (recording, a strided
 * or offset self, an operand sharing self's storage, a dtype change, or an operand that does not
 * broadcast into self), and the caller takes the general path.
 */
export function inplaceBinary(self: Tensor, op: BinaryOp, other: Operand, alpha = 1): Tensor | null {
  if (isGradEnabled() && (self.requiresGrad || (other instanceof Tensor && other.requiresGrad))) return null;
  if (self.offset !== 0 || self.storage.size !== self.numel() || !self.isContiguous()) return null;
  if (other instanceof Tensor && other.storage === self.storage) return null;
  // alpha multiplies ints exactly only when it is an integer: the general path says so otherwise
  if (alpha !== 1 && (!isFloat(self.dtype) || (op !== "add" && op !== "sub"))) return null;
  const dt = resultType([self, other]);
  // true division of ints gives floats, which an int tensor cannot hold: the general path says so
  if (dt !== self.dtype || (op === "div" && !isFloat(dt))) return null;
  const o = asTensor(other, dt);
  const lead = self.ndim - o.ndim;
  if (lead < 0 || o.shape.some((s, i) => s !== 1 && s !== self.shape[lead + i])) return null;
  if (self.numel()) {
    const ov = broadcastView(castRaw(o, dt), self.shape);
    if (alpha === 1) kernels().binary(op, self._view(), ov, self.storage.handle, dt);
    else kernels().axpy(op === "sub" ? -alpha : alpha, ov, self._view());
  }
  self.storage.version++;
  return self;
}

/**
 * target += source, recording nothing: what the engine accumulates gradients with. One kernel pass
 * into target's buffer where inplaceBinary's fast path applies, else the general in-place path.
 */
export function addInPlace(target: Tensor, source: Tensor): void {
  noGrad(() => inplaceBinary(target, "add", source) ?? inplace(target, "add_", (x) => add(x, source)));
}

/** Zeroes target in place, recording nothing (what zeroGrad does to a gradient it keeps). */
export function zeroInPlace(target: Tensor): void {
  noGrad(() => inplace(target, "zero_", () => fullRaw([], 0, target.dtype)));
}

function checkCast(op: string, self: Tensor, result: Tensor): void {
  if (promoteTypes(self.dtype, result.dtype) !== self.dtype) {
    throw new TypeError(`${op}: result type ${result.dtype} cannot be stored in a ${self.dtype} tensor in place`);
  }
}

/** Fills self with uniform samples from [low, high). */
export function uniform_(self: Tensor, low = 0, high = 1, generator: Generator = defaultGenerator): Tensor {
  return fillFrom(self, "uniform_", () => low + (high - low) * generator.uniform());
}

/** Fills self with normal samples N(mean, std²). */
export function normal_(self: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return fillFrom(self, "normal_", () => mean + std * generator.normal());
}

function fillFrom(self: Tensor, op: string, draw: () => number): Tensor {
  const data = new Float64Array(self.numel());
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return inplace(self, op, () => wrap(kernels().upload(self.dtype, data), self.dtype, self.shape));
}
