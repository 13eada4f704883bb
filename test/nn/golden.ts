// Shared helpers of the nn golden tests: read the JSON that tools/gen_golden_nn.py wrote with
// PyTorch, turn its tensors into chainrule tensors, and build the layer a case describes.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

/** A tensor as the generator writes it. */
export interface TensorJSON {
  shape: number[];
  dtype: cr.DType;
  data: number[];
}

/** The constructor call of a layer: class name, positional args, options (or a Sequential's children). */
export interface LayerSpec {
  cls: string;
  args?: unknown[];
  opts?: Record<string, unknown>;
  children?: LayerSpec[];
}

/** Parses test/fixtures/<name>. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")) as T;
}

/** True for a serialised tensor. */
export function isTensorJSON(v: unknown): v is TensorJSON {
  return typeof v === "object" && v !== null && "shape" in v && "data" in v && "dtype" in v;
}

/** A leaf tensor from JSON; float tensors require grad when asked. */
export function fromJSON(t: TensorJSON, requiresGrad = false): cr.Tensor {
  const x = cr.tensor(t.data, { dtype: t.dtype }).reshape(t.shape);
  const leaf = cr.tensor(x.dataSync(), { shape: t.shape, dtype: t.dtype });
  if (requiresGrad && (t.dtype === "float32" || t.dtype === "float64")) leaf.requiresGrad = true;
  return leaf;
}

/** Serialised tensors inside options or argument lists become tensors. */
export function revive(v: unknown, requiresGrad = false): unknown {
  if (isTensorJSON(v)) return fromJSON(v, requiresGrad);
  if (Array.isArray(v)) return v.map((x) => revive(x, requiresGrad));
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x, requiresGrad)]));
  }
  return v;
}

type Ctor = new (...args: unknown[]) => cr.nn.Module;

/** Builds the layer of a spec from cr.nn. */
export function build(spec: LayerSpec): cr.nn.Module {
  if (spec.children) return new cr.nn.Sequential(...spec.children.map(build));
  const ctor = (cr.nn as unknown as Record<string, Ctor>)[spec.cls];
  if (!ctor) throw new Error(`no layer cr.nn.${spec.cls}`);
  // nested specs (a TransformerEncoder's layer, its norm) are built too
  const arg = (v: unknown): unknown =>
    typeof v === "object" && v !== null && "cls" in v ? build(v as LayerSpec) : revive(v);
  const opts = Object.fromEntries(Object.entries(spec.opts ?? {}).map(([k, v]) => [k, arg(v)]));
  return new ctor(...(spec.args ?? []).map(arg), ...(Object.keys(opts).length ? [opts] : []));
}

/** The tensors of a (possibly nested) output, in order; nulls dropped. */
export function flatTensors(out: unknown): cr.Tensor[] {
  if (out instanceof cr.Tensor) return [out];
  if (Array.isArray(out)) return out.flatMap(flatTensors);
  return [];
}

/** Σ out_i · upstream_i, the scalar whose gradients the fixtures hold. */
export function dotWith(outs: cr.Tensor[], ups: cr.Tensor[]): cr.Tensor {
  return outs.map((o, i) => o.mul(ups[i]!).sum()).reduce((a, b) => a.add(b));
}

/** Tolerances by dtype: float64 agrees with PyTorch to rounding, float32 to single precision. */
export function tolFor(dtype: string): { atol: number; rtol: number } {
  return dtype === "float32" ? { atol: 1e-4, rtol: 1e-4 } : { atol: 1e-9, rtol: 1e-7 };
}

/** One recorded layer call. */
export interface LayerCase {
  name: string;
  js: LayerSpec;
  train: boolean;
  dtype: "float32" | "float64";
  state: Record<string, TensorJSON>;
  inputs: unknown[];
  callOpts?: Record<string, unknown>;
  outputs: TensorJSON[];
  upstream: TensorJSON[];
  grads: Record<string, TensorJSON>;
  stateAfter: Record<string, TensorJSON>;
}

/** Builds the case's layer with torch's weights, runs it and compares everything recorded. */
export function checkLayerCase(c: LayerCase): void {
  const tol = tolFor(c.dtype);
  const m = build(c.js).to(c.dtype).train(c.train);
  assert.deepEqual(Object.keys(m.stateDict()), Object.keys(c.state), "state dict keys and order match PyTorch");
  m.loadStateDict(revive(c.state) as Record<string, cr.Tensor>);
  const inputs = reviveInputs(c.inputs);
  const args = c.callOpts ? [...inputs, revive(c.callOpts)] : inputs;
  const outs = flatTensors(m._call(...args));
  assert.equal(outs.length, c.outputs.length, "number of outputs");
  outs.forEach((o, i) => {
    assert.deepEqual(o.shape, c.outputs[i]!.shape, `output ${i} shape`);
    assertClose(o, c.outputs[i]!.data, { ...tol, msg: `output ${i}` });
  });
  dotWith(
    outs,
    c.upstream.map((u) => fromJSON(u)),
  ).backward();
  const leaves = [...new Set(flatTensors(inputs).filter((t) => t.requiresGrad))];
  const params = Object.fromEntries(m.namedParameters());
  for (const [key, g] of Object.entries(c.grads)) {
    const t = key.startsWith("input") ? leaves[Number(key.slice(5))] : params[key];
    assert.ok(t?.grad, `gradient of ${key} exists`);
    assertClose(t.grad, g.data, { ...tol, msg: `grad of ${key}` });
  }
  const after = m.stateDict();
  for (const [key, s] of Object.entries(c.stateAfter))
    assertClose(after[key]!, s.data, { ...tol, msg: `state ${key} after` });
}

/** Case inputs: {"sameAs": i} repeats input i (self-attention passes one tensor three times). */
function reviveInputs(inputs: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of inputs) {
    const same = (v as { sameAs?: number }).sameAs;
    out.push(same === undefined ? revive(v, true) : out[same]);
  }
  return out;
}
