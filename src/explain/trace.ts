// trace(): one forward and backward pass recorded op by op through the engine's observer hooks:
// each op's inputs, output values and saved tensors; in backward, the upstream gradient and the
// gradient sent to each input; then, given an optimizer or an SGD lr, each parameter's update.
// Tracing only reads values, so gradients and results are the same as without it.

import "../ops/methods.js";
import { observe } from "../graph/observe.js";
import { noGrad } from "../graph/grad-mode.js";
import type { Tensor } from "../tensor/tensor.js";
import { snapshot } from "./format.js";
import { instrumentModules, type ModuleLike } from "./scope.js";
import type { ParamUpdate, Trace } from "./trace-data.js";
import { Recorder } from "./trace-recorder.js";

/** Options of trace(). */
export interface TraceOptions {
  /** Steps the parameters after backward (its step() is called once). */
  optimizer?: { step(): void; constructor: { name: string } };
  /** Without an optimizer: apply plain SGD, p ← p − lr·p.grad. */
  lr?: number;
  /** An nn module: its submodules' ops are grouped by module path and its parameters named. */
  model?: ModuleLike;
  /** Labels for tensors (e.g. { x, y, z }); tensors' own .name is used otherwise. */
  names?: Record<string, Tensor>;
  /** Run backward (default true). */
  backward?: boolean;
  /** Gradient for a non-scalar output. */
  gradient?: Tensor;
  /** After the update, run the forward again and record it as `trace.next`. */
  secondForward?: boolean;
  /** Tensors with more elements keep only statistics and their first values (default KEEP_LIMIT). */
  keepLimit?: number;
}

/**
 * Runs `fn` (which returns the loss), then backward, recording every op; with an optimizer or
 * lr, also the parameter update. Returns the Trace; the loss's .grad and the leaves' .grad are
 * exactly what an untraced run gives.
 */
export function trace(fn: () => Tensor, opts: TraceOptions = {}): Trace {
  const rec = new Recorder(opts);
  const restore = opts.model ? instrumentModules(opts.model) : () => {};
  let out: Tensor;
  rec.phase = "forward";
  try {
    out = observe(rec.observer(), fn);
  } finally {
    rec.phase = "off";
    restore();
  }
  const outValue = rec.valueOf(out);
  if (opts.backward ?? true) {
    rec.phase = "backward";
    try {
      observe(rec.observer(), () => out.backward(opts.gradient));
    } finally {
      rec.phase = "off";
    }
  }
  const updates = opts.optimizer || opts.lr !== undefined ? update(rec, opts) : [];
  const result = rec.finish(outValue.id, updates);
  if (opts.optimizer) result.optimizer = opts.optimizer.constructor.name;
  else if (opts.lr !== undefined) [result.optimizer, result.lr] = ["SGD", opts.lr];
  if (opts.secondForward) {
    result.next = trace(fn, { model: opts.model, names: opts.names, backward: false, keepLimit: opts.keepLimit });
  }
  return result;
}

/** Steps the optimizer (or plain SGD) and records each parameter before and after. */
function update(rec: Recorder, opts: TraceOptions): ParamUpdate[] {
  const params = rec.values.filter((v) => v.kind === "parameter" || v.kind === "leaf");
  const before = params.map((v) => {
    const t = rec.tensors.get(v.id)!;
    return { v, t, before: snapshot(t, rec.keep), grad: t.grad ? snapshot(t.grad, rec.keep) : null };
  });
  if (opts.optimizer) opts.optimizer.step();
  else {
    noGrad(() => {
      for (const { t } of before) if (t.grad) t.sub_(t.grad.mul(opts.lr!));
    });
  }
  return before.map(({ v, t, before, grad }) => ({
    value: v.id,
    label: "",
    before,
    grad,
    after: snapshot(t, rec.keep),
  }));
}
