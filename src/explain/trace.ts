// trace(): one forward and backward pass recorded op by op through the engine's observer hooks:
// each op's inputs, output values and saved tensors; in backward, the upstream gradient and the
// gradient sent to each input; then, given an optimizer or an SGD lr, each parameter's update.
// Tracing only reads values, so gradients and results are the same as without it.

import { observe } from "../graph/observe.js";
import { noGrad } from "../graph/grad-mode.js";
import type { Tensor } from "../api/tensor.js";
import { snapshot } from "./format.js";
import { instrumentModules } from "./scope.js";
import type { ParamUpdate, Trace, TraceOptions } from "./trace-data.js";

export type { TraceOptions } from "./trace-data.js";
import { Recorder } from "./trace-recorder.js";

/** Options of trace(). */
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
    // every tensor is the API's Tensor (tensor/tensor.ts's makeTensor); the recorder keeps the data view of it
    const t = rec.tensors.get(v.id)! as Tensor;
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
