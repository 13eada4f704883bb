// defineOp: one declaration per primitive. The forward computes the result's shape and calls
// kernels; the declaration names what to save; the backward rule is written with public
// differentiable ops, so recording the backward (createGraph) gives higher-order gradients.

import { isGradEnabled, setGradEnabled } from "../graph/grad-mode.js";
import { edgeOf, isAnomalyEnabled, Node, type SavedTensor } from "../graph/node.js";
import { observers } from "../graph/observe.js";
import { isFloat } from "../core/dtype.js";
import type { Tensor } from "../tensor/tensor.js";

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

/** The declaration of a primitive op. */
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
  /** Which inputs (by position) and whether the output are needed by `backward`. */
  save?: { inputs?: number[] | ((needsInputGrad: readonly boolean[]) => number[]); output?: boolean };
  /** Gradient of each input given the output's gradient; the engine sums broadcast dims away. */
  backward?(grad: Tensor, ctx: OpCtx<A>): (Tensor | null | undefined)[];
}

/** Every primitive, by name: the one list of ops, derived from the declarations. */
export const opRegistry = new Map<string, OpDef<never>>();

/** The default node name: 'mul' -> 'MulBackward'. */
export function gradNameOf(name: string): string {
  return `${name[0]!.toUpperCase()}${name.slice(1)}Backward`;
}

/** A declared op: tensors and attributes in, one tensor out, recorded when grad mode is on. */
export type OpFn<A> = (inputs: Tensor[], attrs: A) => Tensor;

/** Declares a primitive and returns its autograd-aware implementation. */
export function defineOp<A = undefined>(def: OpDef<A>): OpFn<A> {
  if (opRegistry.has(def.name)) throw new Error(`defineOp: '${def.name}' is declared twice`);
  opRegistry.set(def.name, def as unknown as OpDef<never>);
  const gradName = def.gradName ?? gradNameOf(def.name);
  return (inputs, attrs) => {
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
  const rule = def.backward!;
  const needsInputGrad = inputs.map((t) => t.requiresGrad);
  const node = new Node(
    gradName,
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
      return rule(g!, ctx);
    },
  );
  const toSave = def.save?.inputs;
  for (const i of typeof toSave === "function" ? toSave(needsInputGrad) : (toSave ?? [])) {
    savedInputs[i] = node.save([inputs[i]!])[0];
  }
  output.gradFn = node;
  output.outputNr = 0;
  if (def.save?.output) savedOutput = node.save([output])[0];
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
