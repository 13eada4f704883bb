// defineOp: the declaration of one primitive, the unit of the op table. An entry holds the whole
// op: its forward (shape and dtype rule, then the kernel call), what its backward needs saved, its
// backward rule written with recorded ops (so recording the backward gives higher-order
// gradients), an optional fused backward kernel for when nothing records, the rule
// `chainrule explain` shows, and sample calls every generic test runs. The recording of a call
// (node, saved tensors, observers) is done here once for every op.

import { isFloat } from "../core/dtype.js";
import { isGradEnabled, setGradEnabled } from "../graph/grad-mode.js";
import { edgeOf, isAnomalyEnabled, Node, type SavedTensor } from "../graph/node.js";
import { observers } from "../graph/observe.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import type { OptionsProbe } from "./composite.js";
import type { ExplainRule } from "./explain-rule.js";
import type { Sample } from "./samples.js";

/** What a backward rule gets: the saved inputs (by position), the saved output, the attributes. */
export interface OpCtx<A> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  /** What the forward passed to `keep`, in order. */
  readonly kept: readonly Tensor[];
  readonly attrs: A;
  /** For each input: whether its gradient is needed (a rule may skip the others' work). */
  readonly needsInputGrad: readonly boolean[];
}

/** A backward rule: the gradient of each input given the output's; null where none is needed. */
export type BackwardRule<A> = (grad: Tensor, ctx: OpCtx<A>) => (Tensor | null | undefined)[];

/** The declaration of a primitive op: one entry of the op table. */
export interface OpDef<A> {
  /** The op's public name in lower camel case, e.g. 'logSoftmax'. */
  name: string;
  /** Name of its graph node; defaults to e.g. 'MulBackward'. */
  gradName?: string;
  /**
   * Shape/dtype rule and kernel call; runs without recording, so it may call other ops. `keep`
   * hands the backward a tensor the forward made for it alone (an im2col matrix, say): one whose
   * storage nothing else shares, not even the output. The node owns it and frees it when it is
   * released; when nothing records, it is freed as soon as the forward returns.
   */
  forward(inputs: Tensor[], attrs: A, keep: (t: Tensor) => void): Tensor;
  /** Which inputs (by position) and whether the output are needed by `backward` (which may depend on the attributes). */
  save?: {
    inputs?: number[] | ((needsInputGrad: readonly boolean[]) => number[]);
    output?: boolean | ((attrs: A) => boolean);
  };
  /**
   * The reference backward, written with recorded ops: it is what runs under createGraph and what
   * a fast path is tested against. Absent for ops with no gradient (comparisons, argmax).
   */
  backward?: BackwardRule<A>;
  /**
   * An optional fused kernel for the same gradient, used when the backward records nothing (the
   * usual training step). A test holds it to `backward` on every sample.
   */
  fastBackward?: BackwardRule<A>;
  /** How `chainrule explain` shows the op and its local derivative. */
  explain: ExplainRule;
  /** Sample calls: gradcheck, the backend conformance tests and the PyTorch goldens run them. */
  samples: readonly [Sample<A>, ...Sample<A>[]];
  /** For an op whose public function takes an options object: the options test's way in. */
  options?: Required<OptionsProbe>;
}

/** A declared op: tensors and attributes in, one tensor out, recorded when grad mode is on. */
export interface Op<A> {
  (inputs: Tensor[], attrs: A): Tensor;
  /** The declaration it was made from. */
  readonly def: OpDef<A>;
}

/** The default node name: 'mul' -> 'MulBackward'. */
export function gradNameOf(name: string): string {
  return `${name[0]!.toUpperCase()}${name.slice(1)}Backward`;
}

/** Declares a primitive and returns its autograd-aware implementation. */
export function defineOp<A = undefined>(def: OpDef<A>): Op<A> {
  const gradName = def.gradName ?? gradNameOf(def.name);
  const apply = (inputs: Tensor[], attrs: A): Tensor => {
    const recording = isGradEnabled();
    // the forward runs without recording, so forwards may be written with other ops; nested ops
    // are hidden from observers, which see each declared op once
    depth++;
    setGradEnabled(false);
    const mark = keptStack.length;
    let output: Tensor;
    try {
      output = def.forward(inputs, attrs, keep);
    } catch (e) {
      // a forward that threw leaves what it kept to the collector
      keptStack.length = mark;
      throw e;
    } finally {
      depth--;
      setGradEnabled(recording);
    }
    const kept = keptStack.length > mark ? keptStack.splice(mark) : noneKept;
    let node: Node | null = null;
    if (def.backward && recording && isFloat(output.dtype) && anyRequiresGrad(inputs)) {
      node = record(def, gradName, inputs, attrs, output, kept);
    } else {
      for (const t of kept) t.dispose();
    }
    if (isAnomalyEnabled() && depth === 0) checkForward(def.name, inputs, output);
    if (observers.length && depth === 0)
      for (const o of observers) o.forward?.({ op: def.name, inputs, output, attrs, node });
    return output;
  };
  return Object.assign(apply, { def });
}

let depth = 0;

// what forwards kept, innermost call last: each call takes back what was pushed after its mark
const keptStack: Tensor[] = [];
const noneKept: Tensor[] = [];
const keep = (t: Tensor) => void keptStack.push(t);

function anyRequiresGrad(inputs: Tensor[]): boolean {
  for (let i = 0; i < inputs.length; i++) if (inputs[i]!.requiresGrad) return true;
  return false;
}

function record<A>(def: OpDef<A>, gradName: string, inputs: Tensor[], attrs: A, output: Tensor, kept: Tensor[]): Node {
  const savedInputs: (SavedTensor | undefined)[] = [];
  let savedOutput: SavedTensor | undefined;
  let savedKept: SavedTensor[] = [];
  const needsInputGrad = inputs.map((t) => t.requiresGrad);
  const node = new Node(
    gradName,
    "op",
    inputs.map(edgeOf),
    inputs.map((t) => (t.requiresGrad ? { shape: t.shape, dtype: t.dtype } : null)),
    [{ shape: output.shape, dtype: output.dtype }],
    ([g]) => {
      const ctx: OpCtx<A> = {
        needsInputGrad,
        inputs: savedInputs.map((s) => s?.unpack()) as Tensor[],
        output: savedOutput?.unpack() as Tensor,
        kept: savedKept.map((s) => s.unpack()),
        attrs,
      };
      // the fused kernel serves a backward that records nothing; a recorded one needs the reference rule
      const rule = def.fastBackward && !isGradEnabled() ? def.fastBackward : def.backward!;
      return rule(g!, ctx);
    },
  );
  const toSave = def.save?.inputs;
  for (const i of typeof toSave === "function" ? toSave(needsInputGrad) : (toSave ?? [])) {
    savedInputs[i] = node.save([inputs[i]!])[0];
  }
  output.gradFn = node;
  output.outputNr = 0;
  const saveOutput = def.save?.output;
  if (typeof saveOutput === "function" ? saveOutput(attrs) : saveOutput) savedOutput = node.save([output])[0];
  if (kept.length) savedKept = node.save(kept, true);
  node.op = def.name;
  return node;
}

function hasNaN(t: Tensor): boolean {
  if (!isFloat(t.dtype)) return false;
  for (const v of t.dataSync()) if (v !== v) return true;
  return false;
}

function checkForward(name: string, inputs: Tensor[], output: Tensor): void {
  if (hasNaN(output) && !inputs.some(hasNaN)) {
    throw new Error(
      `detectAnomaly: op '${name}' produced NaN in its output of shape [${output.shape.join(", ")}] ` +
        `from inputs without NaN.\n${new Error().stack?.split("\n").slice(3).join("\n")}`,
    );
  }
}
