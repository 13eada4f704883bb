// autograd.functional: vjp, jvp, jacobian, hessian and hvp built from autograd.grad. Inputs may
// be one tensor or a list; results mirror that.

import { checkOptions } from "../core/options.js";
import type { Tensor } from "./tensor.js";
import { creation, elementwise, functions } from "./functions.js";
import { grad } from "./grad.js";
import { enableGrad } from "../graph/grad-mode.js";

const { zerosLike } = creation;
const { add, mul } = elementwise;
const { reshape, select, stack, sum } = functions;

type Inputs = Tensor | Tensor[];
type Fn = (...xs: Tensor[]) => Tensor;

/** Fresh leaves requiring grad with the inputs' values, so fn is differentiated at those points. */
function prepare(inputs: Inputs): Tensor[] {
  return (Array.isArray(inputs) ? inputs : [inputs]).map((t) => t.detach().requiresGrad_(true));
}

const shaped = <T>(inputs: Inputs, list: T[]): T | T[] => (Array.isArray(inputs) ? list : list[0]!);
const orZeros = (gs: (Tensor | null)[], xs: Tensor[]) => gs.map((g, i) => g ?? zerosLike(xs[i]!));
/** Σᵢ sum(gᵢ·vᵢ), whose gradient is a product with the vectors vs. */
const dotAll = (gs: Tensor[], vs: Tensor[]) => gs.map((g, i) => sum(mul(g, vs[i]!))).reduce((a, b) => add(a, b));

/** Output and vᵀJ. */
export function vjp(
  fn: Fn,
  inputs: Inputs,
  v?: Tensor,
  opts: { createGraph?: boolean } = {},
): [Tensor, Tensor | Tensor[]] {
  const xs = prepare(inputs);
  const out = enableGrad(() => fn(...xs));
  checkOptions("autograd.functional.vjp", opts, ["createGraph"]);
  const gs = grad(out, xs, { gradOutputs: v, allowUnused: true, createGraph: opts.createGraph ?? false });
  return [out.detach(), shaped(inputs, orZeros(gs, xs))];
}

/** Output and J·v, by the double-vjp trick: J·v = ∂/∂u (uᵀJ)·v. */
export function jvp(fn: Fn, inputs: Inputs, v: Inputs): [Tensor, Tensor] {
  const xs = prepare(inputs);
  const vs = Array.isArray(v) ? v : [v];
  return enableGrad(() => {
    const out = fn(...xs);
    const u = zerosLike(out).requiresGrad_(true);
    const gs = orZeros(grad(out, xs, { gradOutputs: u, createGraph: true, allowUnused: true }), xs);
    const [jv] = grad(dotAll(gs, vs), u, { allowUnused: true });
    return [out.detach(), jv ?? zerosLike(out)];
  });
}

/** The Jacobian d fn / d input, shaped [...out.shape, ...input.shape] (one per input for lists). */
export function jacobian(fn: Fn, inputs: Inputs, opts: { createGraph?: boolean } = {}): Tensor | Tensor[] {
  checkOptions("autograd.functional.jacobian", opts, ["createGraph"]);
  const xs = prepare(inputs);
  const out = enableGrad(() => fn(...xs));
  const flat = reshape(out, [-1]);
  const rows: Tensor[][] = xs.map(() => []);
  for (let e = 0; e < flat.shape[0]!; e++) {
    const gs = grad(select(flat, 0, e), xs, {
      retainGraph: true,
      allowUnused: true,
      createGraph: opts.createGraph ?? false,
    });
    orZeros(gs, xs).forEach((g, i) => rows[i]!.push(g));
  }
  const jac = xs.map((x, i) =>
    reshape(rows[i]!.length ? stack(rows[i]!) : reshape(zerosLike(x), [0, ...x.shape]), [...out.shape, ...x.shape]),
  );
  return shaped(inputs, jac);
}

/** The Hessian of a scalar fn (single input), shaped [...x.shape, ...x.shape]. */
export function hessian(fn: Fn, input: Tensor): Tensor {
  const gradFn = (x: Tensor) => {
    const out = fn(x);
    const [g] = grad(out, x, { createGraph: true, allowUnused: true });
    return g ?? zerosLike(x);
  };
  return jacobian(gradFn, input) as Tensor;
}

/** Output and H·v for a scalar fn, without forming H. */
export function hvp(fn: Fn, inputs: Inputs, v: Inputs): [Tensor, Tensor | Tensor[]] {
  const xs = prepare(inputs);
  const vs = Array.isArray(v) ? v : [v];
  return enableGrad(() => {
    const out = fn(...xs);
    const gs = orZeros(grad(out, xs, { createGraph: true, allowUnused: true }), xs);
    const hv = orZeros(grad(dotAll(gs, vs), xs, { allowUnused: true }), xs);
    return [out.detach(), shaped(inputs, hv)];
  });
}
