// trace(): one forward and backward pass recorded op by op through the engine's observer hooks:
// each op's inputs, output values and saved tensors; in backward, the upstream gradient and the
// gradient sent to each input; then, given an optimizer or an SGD lr, each parameter's update.
// Tracing only reads values, so gradients and results are the same as without it.

import "../ops/methods.js";
import type { Node } from "../graph/node.js";
import { observe, type Observer } from "../graph/observe.js";
import { noGrad } from "../graph/grad-mode.js";
import type { Tensor } from "../tensor/tensor.js";
import { addSnapshots, fmt, KEEP_LIMIT, type Snapshot, snapshot } from "./format.js";
import { currentScope, instrumentModules, type ModuleLike } from "./scope.js";

/** What a recorded value is. */
export type ValueKind = "parameter" | "leaf" | "input" | "constant" | "intermediate";

/** A tensor seen by the trace: an op's output, or a leaf fed into one. */
export interface TraceValue {
  id: number;
  label: string;
  kind: ValueKind;
  requiresGrad: boolean;
  /** Module path of a parameter ("0" for "0.weight"), or of a view of one (its transpose). */
  module?: string;
  data: Snapshot;
  /** For a detached copy (x.detach()), the value it was cut from. */
  detachedFrom?: number;
  /** The step that produced it (absent for leaves). */
  producer?: number;
  /** Steps that used it. */
  consumers: number[];
  /** ∂L/∂value after backward. */
  grad?: Snapshot;
  /** The gradient each use sent back; more than one means a copy gate summed them. */
  contributions: { step: number; input: number; grad: Snapshot }[];
}

/** What a step's backward did. */
export interface StepBackward {
  /** Position in the backward walk (0 runs first). */
  order: number;
  /** ∂L/∂output arriving from above. */
  upstream: Snapshot;
  /** ∂L/∂input sent to each input (null where no gradient flows). */
  gradInputs: (Snapshot | null)[];
}

/** One recorded op. */
export interface TraceStep {
  id: number;
  op: string;
  /** Backward node name, e.g. 'MulBackward'; absent when no graph was recorded for the op. */
  node?: string;
  module?: string;
  attrs: Record<string, unknown>;
  inputs: number[];
  output: number;
  /** What the node saved for backward, e.g. 'input 1 (0.weight)' or 'output'. */
  saved: string[];
  backward?: StepBackward;
}

/** A parameter's update by the optimizer: before, gradient used, after. */
export interface ParamUpdate {
  value: number;
  label: string;
  before: Snapshot;
  grad: Snapshot | null;
  after: Snapshot;
}

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

/** A recorded forward (and backward) pass. */
export class Trace {
  /** @internal tensors to values, for lookups after the trace. */
  readonly byTensor = new WeakMap<Tensor, TraceValue>();
  /** The second forward pass after the update, when asked for. */
  next?: Trace;
  /** Name of the optimizer that made the updates, or 'SGD' for a plain lr. */
  optimizer?: string;
  lr?: number;

  constructor(
    readonly steps: TraceStep[],
    readonly values: TraceValue[],
    /** Id of the traced output (the loss). */
    readonly output: number,
    readonly updates: ParamUpdate[],
  ) {}

  /** A value by tensor, id or label. */
  value(key: Tensor | number | string): TraceValue | undefined {
    if (typeof key === "number") return this.values[key];
    if (typeof key === "string") return this.values.find((v) => v.label === key);
    return this.byTensor.get(key);
  }

  /** A value that must exist (throws naming what is missing). */
  need(key: Tensor | number | string): TraceValue {
    const v = this.value(key);
    if (!v) throw new Error(`explain: ${typeof key === "object" ? "tensor" : `'${key}'`} was not seen by this trace`);
    return v;
  }

  /** The loss (the traced output). */
  get loss(): TraceValue {
    return this.values[this.output]!;
  }

  /** Steps that recorded a graph node, in forward order. */
  get forwardSteps(): TraceStep[] {
    return this.steps.filter((s) => s.node !== undefined);
  }

  /** Steps in the order backward ran them. */
  get backwardSteps(): TraceStep[] {
    return this.steps.filter((s) => s.backward).sort((a, b) => a.backward!.order - b.backward!.order);
  }

  /** Leaves that received a gradient (parameters and leaf inputs). */
  get leaves(): TraceValue[] {
    return this.values.filter((v) => v.kind === "parameter" || v.kind === "leaf");
  }

  /** The update of a value, if the optimizer moved it. */
  updateOf(v: TraceValue): ParamUpdate | undefined {
    return this.updates.find((u) => u.value === v.id);
  }

  /** A plain object for JSON.stringify. */
  toJSON(): Record<string, unknown> {
    return {
      output: this.output,
      optimizer: this.optimizer,
      lr: this.lr,
      values: this.values,
      steps: this.steps,
      updates: this.updates,
      next: this.next?.toJSON(),
    };
  }
}

/** A parameter name's module path: "0.weight" -> "0", "weight" -> "". */
export function modulePathOf(name: string): string {
  const i = name.lastIndexOf(".");
  return i < 0 ? "" : name.slice(0, i);
}

/** Ops that only lay out their input's numbers anew. */
const LAYOUT_OPS = new Set(["view", "permute", "expand", "contiguous", "clone", "to"]);

/** Keeps the JSON-friendly parts of an op's attributes. */
function plainAttrs(attrs: unknown): Record<string, unknown> {
  if (!attrs || typeof attrs !== "object") return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const ok = (x: unknown) => typeof x === "number" || typeof x === "string" || typeof x === "boolean";
    if (ok(v) || (Array.isArray(v) && v.every(ok))) out[k] = v;
  }
  return out;
}

/** Records values and steps as the observer hooks report them. */
class Recorder {
  readonly steps: TraceStep[] = [];
  readonly values: TraceValue[] = [];
  readonly tensors = new Map<number, Tensor>();
  readonly trace?: Trace;
  private readonly ids = new WeakMap<Tensor, number>();
  private readonly nodeSteps = new Map<Node, TraceStep>();
  private readonly paramNames = new Map<Tensor, string>();
  private readonly labels = new Map<Tensor, string>();
  private order = 0;
  phase: "forward" | "backward" | "off" = "off";
  readonly keep: number;
  /** Set once a scope (or a traced model) labels ops: then unscoped ops get no inferred module. */
  private scoped: boolean;

  constructor(opts: TraceOptions) {
    this.keep = opts.keepLimit ?? KEEP_LIMIT;
    this.scoped = opts.model !== undefined;
    for (const [name, t] of Object.entries(opts.names ?? {})) this.labels.set(t, name);
    const params = opts.model?.namedParameters;
    if (typeof params === "function") for (const [n, p] of params.call(opts.model)) this.paramNames.set(p as Tensor, n);
  }

  observer(): Observer {
    return {
      forward: (e) => {
        if (this.phase === "forward") this.onForward(e.op, e.inputs, e.output, e.attrs, e.node);
      },
      backward: (e) => {
        if (this.phase === "backward") this.onBackward(e.node, e.gradOutputs, e.gradInputs);
      },
    };
  }

  /** The value of a tensor, created as a leaf the first time an unknown tensor is seen. */
  valueOf(t: Tensor): TraceValue {
    const id = this.ids.get(t);
    if (id !== undefined) return this.values[id]!;
    const viaNode = t.gradFn ? this.nodeSteps.get(t.gradFn) : undefined;
    if (viaNode) return this.values[viaNode.output]!;
    const name = this.labels.get(t) ?? this.paramNames.get(t) ?? t.name;
    const isParam = this.paramNames.has(t) || (t.requiresGrad && t.isLeaf && !!name && name.includes("."));
    const kind: ValueKind = t.requiresGrad
      ? isParam
        ? "parameter"
        : t.isLeaf
          ? "leaf"
          : "intermediate"
      : t.numel() === 1 && !name
        ? "constant"
        : "input";
    const v = this.add(t, kind, isParam && name ? modulePathOf(name) : undefined);
    const base = t._base ? this.ids.get(t._base) : undefined;
    if (base !== undefined && !t.requiresGrad && !name) v.detachedFrom = base;
    return v;
  }

  /** The step's module: its scope's; without scopes in this trace, inferred from its inputs. */
  private moduleOf(ins: TraceValue[]): string | undefined {
    const scoped = currentScope();
    if (scoped !== undefined) this.scoped = true;
    return scoped ?? (this.scoped ? undefined : this.inferModule(ins));
  }

  /**
   * The module of a step opened by no scope: that of a parameter it uses, else that of its
   * latest input from a module; a step that also reads a non-grad input (a target) starts none.
   */
  private inferModule(ins: TraceValue[]): string | undefined {
    const param = ins.find((v) => v.module !== undefined);
    if (param) return param.module;
    const source = (v: TraceValue) => (v.detachedFrom !== undefined ? this.values[v.detachedFrom]! : v);
    if (ins.some((v) => v.kind === "input" && source(v).producer === undefined)) return undefined;
    const modules = ins
      .map((v) => source(v).producer)
      .map((p) => (p === undefined ? undefined : this.steps[p]!.module));
    return modules.filter((m) => m !== undefined).pop();
  }

  private add(t: Tensor, kind: ValueKind, module?: string, producer?: number): TraceValue {
    const v: TraceValue = {
      id: this.values.length,
      label: "",
      kind,
      requiresGrad: t.requiresGrad,
      module,
      data: snapshot(t, this.keep),
      producer,
      consumers: [],
      contributions: [],
    };
    this.values.push(v);
    this.ids.set(t, v.id);
    this.tensors.set(v.id, t);
    return v;
  }

  private onForward(op: string, inputs: Tensor[], output: Tensor, attrs: unknown, node: Node | null): void {
    const ins = inputs.map((t) => this.valueOf(t));
    const step: TraceStep = {
      id: this.steps.length,
      op,
      node: node?.name,
      module: this.moduleOf(ins),
      attrs: plainAttrs(attrs),
      inputs: ins.map((v) => v.id),
      output: -1,
      saved: [],
    };
    this.steps.push(step);
    for (const v of ins) if (!v.consumers.includes(step.id)) v.consumers.push(step.id);
    // NOTE: a view of a parameter (W.t()) keeps its module, so the op reading it is grouped with it
    const viewOf = LAYOUT_OPS.has(op) ? ins[0]?.module : undefined;
    step.output = this.add(output, output.requiresGrad ? "intermediate" : "input", viewOf, step.id).id;
    if (node) {
      this.nodeSteps.set(node, step);
      step.saved = (node.saved ?? []).map((s) => {
        let t: Tensor;
        try {
          t = s.unpack();
        } catch {
          return "released";
        }
        if (t === output) return "output";
        const k = inputs.indexOf(t);
        return k >= 0 ? `input ${k}` : "tensor";
      });
    }
  }

  private onBackward(node: Node, gradOutputs: Tensor[], gradInputs: (Tensor | null)[]): void {
    const step = this.nodeSteps.get(node);
    if (!step) return;
    const grads = gradInputs.map((g) => (g ? snapshot(g, this.keep) : null));
    step.backward = { order: this.order++, upstream: snapshot(gradOutputs[0]!, this.keep), gradInputs: grads };
    grads.forEach((g, k) => {
      if (!g) return;
      this.values[step.inputs[k]!]!.contributions.push({ step: step.id, input: k, grad: g });
    });
  }

  /** Fills in gradients and labels once the pass is over. */
  finish(outputId: number, updates: ParamUpdate[]): Trace {
    for (const v of this.values) {
      const producer = v.producer !== undefined ? this.steps[v.producer] : undefined;
      if (producer?.backward) v.grad = producer.backward.upstream;
      else if (v.contributions.length) v.grad = v.contributions.map((c) => c.grad).reduce(addSnapshots);
    }
    let counter = 0;
    for (const v of this.values) {
      const t = this.tensors.get(v.id)!;
      const given = this.labels.get(t) ?? this.paramNames.get(t) ?? t.name;
      if (given) v.label = given;
      else if (v.id === outputId) v.label = v.data.numel === 1 ? "L" : "out";
      else if (v.kind === "constant") v.label = fmt(v.data.head[0]!);
      else if (v.detachedFrom !== undefined) v.label = `${this.values[v.detachedFrom]!.label}.detach()`;
      else v.label = `t${++counter}`;
    }
    for (const u of updates) u.label = this.values[u.value]!.label;
    const trace = new Trace(this.steps, this.values, outputId, updates);
    for (const [id, t] of this.tensors) trace.byTensor.set(t, this.values[id]!);
    return trace;
  }
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
