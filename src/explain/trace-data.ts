// What a trace holds: every value it saw, every op (step) with what its backward did, and each
// parameter's update. Trace looks values up by tensor, id or label; apart from that lookup it is
// plain data, so toJSON() gives the whole record.

import type { TensorBase as Tensor } from "../tensor/tensor.js";
import type { Snapshot } from "./format.js";
import type { ModuleLike } from "./scope.js";

/** What a recorded value is. */
export type ValueKind = "parameter" | "leaf" | "input" | "constant" | "intermediate";

/** A tensor seen by the trace: an op's output, or a leaf fed into one. */
export interface TraceValue {
  /** Its position in the trace's values. */
  id: number;
  /** Its name: a parameter's path, a given name, or one made up (t3). */
  label: string;
  /** What it is. */
  kind: ValueKind;
  /** Whether gradients flow to it. */
  requiresGrad: boolean;
  /** Module path of a parameter ("0" for "0.weight"), or of a view of one (its transpose). */
  module?: string;
  /** Its values when recorded. */
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
  contributions: {
    /** The step that used it. */
    step: number;
    /** Which input of that step it was. */
    input: number;
    /** The gradient that use sent back. */
    grad: Snapshot;
  }[];
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
  /** Its position in the trace's steps. */
  id: number;
  /** The op, as in the op table. */
  op: string;
  /** Backward node name, e.g. 'MulBackward'; absent when no graph was recorded for the op. */
  node?: string;
  /** The module path of the module that ran it, if any. */
  module?: string;
  /** The op's attributes (dims, options). */
  attrs: Record<string, unknown>;
  /** The value ids of its inputs. */
  inputs: number[];
  /** The value id of its output. */
  output: number;
  /** What the node saved for backward, e.g. 'input 1 (0.weight)' or 'output'. */
  saved: string[];
  /** What its backward did, once backward ran. */
  backward?: StepBackward;
}

/** A parameter's update by the optimizer: before, gradient used, after. */
export interface ParamUpdate {
  /** The parameter's value id. */
  value: number;
  /** The parameter's label. */
  label: string;
  /** The parameter before the step. */
  before: Snapshot;
  /** The gradient the step used; null when it had none. */
  grad: Snapshot | null;
  /** The parameter after the step. */
  after: Snapshot;
}

/** A recorded forward (and backward) pass. */
export class Trace {
  /** @internal tensors to values, for lookups after the trace. */
  readonly byTensor = new WeakMap<Tensor, TraceValue>();
  /** The second forward pass after the update, when asked for. */
  next?: Trace;
  /** Name of the optimizer that made the updates, or 'SGD' for a plain lr. */
  optimizer?: string;
  /** The learning rate of the plain SGD step, when one was traced. */
  lr?: number;

  constructor(
    /** The recorded ops, in forward order. */
    readonly steps: TraceStep[],
    /** Every tensor seen, by id. */
    readonly values: TraceValue[],
    /** Id of the traced output (the loss). */
    readonly output: number,
    /** The parameters' updates, when a step was traced. */
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

/** Options of trace(). */
export interface TraceOptions {
  /** Steps the parameters after backward (its step() is called once). */
  optimizer?: {
    /** Updates the parameters from their gradients. */
    step(): void;
    /** Its class, whose name the trace records. */
    constructor: {
      /** The class's name. */
      name: string;
    };
  };
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
