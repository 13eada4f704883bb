// Recorder: turns the engine's observer events into a trace's values and steps. A forward event
// adds a step and a value for each tensor not seen before; a backward event files the upstream
// gradient and each input's share; finish() sums the shares into .grad and labels every value.

import { type Node, nodeOf } from "../graph/node.js";
import type { Observer } from "../graph/observe.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { addSnapshots, fmt, KEEP_LIMIT, snapshot } from "./format.js";
import { currentScope } from "./scope.js";

import {
  type ParamUpdate,
  Trace,
  type TraceOptions,
  type TraceStep,
  type TraceValue,
  type ValueKind,
} from "./trace-data.js";

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
export class Recorder {
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
    const node = nodeOf(t);
    const viaNode = node ? this.nodeSteps.get(node) : undefined;
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
