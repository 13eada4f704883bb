// The backward engine: one iterative walk over the graph in reverse topological order. It owns
// what every rule would otherwise repeat: summing gradients that meet at a node (the notes'
// "copy gate adds"), reducing broadcast gradients back to each input's shape, casting them to
// the input's dtype, running hooks, accumulating into leaves and freeing saved tensors.

import { fmtShape, sameShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { add, sumToShape, toDtype } from "../ops/engine-ops.js";
import { zerosRaw } from "../ops/raw.js";
import { noGrad, withGradMode } from "./grad-mode.js";
import { AccumulateGrad, accumulatorOf, type Edge, edgeOf, isAnomalyEnabled, Node, setAnomalyMode } from "./node.js";
import { observers } from "./observe.js";
import { MaxHeap } from "./heap.js";

/** Options shared by backward() and autograd.grad(). */
export interface RunOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
}

/** Where to deliver gradients instead of accumulating into leaves (autograd.grad). */
interface Capture {
  keys: Map<Node, Map<number, number>>;
  results: (Tensor | null)[];
}

/** Nodes reachable from the roots, with how many edges point at each. */
function discover(roots: Node[]): Map<Node, number> {
  const deps = new Map<Node, number>();
  const stack = [...new Set(roots)];
  for (const r of stack) deps.set(r, 0);
  while (stack.length) {
    const n = stack.pop()!;
    for (const e of n.next) {
      if (!e) continue;
      const seen = deps.has(e.node);
      deps.set(e.node, (deps.get(e.node) ?? 0) + 1);
      if (!seen) stack.push(e.node);
    }
  }
  return deps;
}

/** Nodes in execution order: a node runs after every node that sends it a gradient. */
function schedule(roots: Node[], deps: Map<Node, number>): Node[] {
  const order: Node[] = [];
  const left = new Map(deps);
  const ready = new MaxHeap<Node>((n) => (n instanceof AccumulateGrad ? Infinity : n.seq));
  for (const r of new Set(roots)) if (left.get(r) === 0) ready.push(r);
  while (ready.size) {
    const n = ready.pop()!;
    order.push(n);
    for (const e of n.next) {
      if (!e) continue;
      const d = left.get(e.node)! - 1;
      left.set(e.node, d);
      if (d === 0) ready.push(e.node);
    }
  }
  return order;
}

/** Nodes from which some captured node can be reached (only those need to run). */
function neededFor(order: Node[], capture: Capture): Set<Node> {
  const needed = new Set<Node>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (capture.keys.has(n) || n.next.some((e) => e && needed.has(e.node))) needed.add(n);
  }
  return needed;
}

function runHooks(
  hooks: ((g: Tensor) => Tensor | void | undefined)[] | undefined,
  grad: Tensor,
  where: string,
): Tensor {
  for (const h of hooks ?? []) {
    const r = h(grad);
    if (r) {
      if (!sameShape(r.shape, grad.shape)) {
        throw new RangeError(
          `hook on ${where}: returned a gradient of shape ${fmtShape(r.shape)}, expected ${fmtShape(grad.shape)}`,
        );
      }
      grad = r;
    }
  }
  return grad;
}

function checkFinite(node: Node, grads: (Tensor | null)[]): void {
  grads.forEach((g, i) => {
    if (!g) return;
    for (const v of g.dataSync()) {
      if (!Number.isFinite(v)) {
        throw new Error(
          `detectAnomaly: ${node.name} returned ${Number.isNaN(v) ? "NaN" : "Inf"} in its gradient for input ${i}.` +
            (node.stack ? `\nThe forward op was called at:\n${node.stack}` : ""),
        );
      }
    }
  });
}

function accumulateLeaf(node: AccumulateGrad, grad: Tensor, createGraph: boolean): void {
  const v = node.variable;
  if (createGraph) {
    v.grad = v.grad ? add(v.grad, grad) : grad;
  } else if (!v.grad) {
    // NOTE: own a fresh copy: the same gradient tensor may be handed to several leaves
    v.grad = noGrad(() => grad.detach().clone());
  } else if (v.grad.requiresGrad) {
    v.grad = noGrad(() => add(v.grad!, grad));
  } else {
    noGrad(() => v.grad!.add_(grad));
  }
}

/**
 * Runs backward from `roots` seeded with `seeds`. Without `capture`, gradients accumulate into
 * leaves' `.grad`; with it, they are returned for the captured tensors and leaves are untouched.
 */
export function runBackward(roots: Tensor[], seeds: Tensor[], opts: RunOptions, capture?: Capture): void {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const rootEdges = roots.map((r, i) => {
    const e = edgeOf(r);
    if (!e) {
      throw new Error(
        `backward: element ${i} of the outputs does not require grad and has no gradFn; nothing to differentiate`,
      );
    }
    return e;
  });
  const rootNodes = rootEdges.map((e) => e.node);
  const order = schedule(rootNodes, discover(rootNodes));
  const needed = capture ? neededFor(order, capture) : null;
  const buffers = new Map<Node, (Tensor | null)[]>();
  const deliver = (e: Edge, g: Tensor) => {
    let buf = buffers.get(e.node);
    if (!buf) buffers.set(e.node, (buf = []));
    const prev = buf[e.outputNr];
    buf[e.outputNr] = prev ? withGradMode(createGraph, () => add(prev, g)) : g;
  };
  rootEdges.forEach((e, i) => deliver(e, seeds[i]!));

  for (const node of order) {
    const buf = buffers.get(node) ?? [];
    buffers.delete(node);
    if (needed && !needed.has(node)) continue;
    // tensor hooks run even where the gradient is captured rather than propagated (PyTorch 2)
    const grads = node.outputMeta.map((_, i) => {
      const g = buf[i] ?? null;
      if (!g) return null;
      if (node instanceof AccumulateGrad) return runHooks(node.variable._hooks, g, "a leaf tensor");
      const hooked = runHooks(node.preHooks.get(i), g, `output ${i} of ${node.name}`);
      node.retainGradHooks.get(i)?.(hooked);
      return hooked;
    });
    const captured = capture?.keys.get(node);
    if (captured) for (const [nr, idx] of captured) capture!.results[idx] = grads[nr] ?? null;
    if (node instanceof AccumulateGrad) {
      if (!capture && grads[0]) accumulateLeaf(node, grads[0], createGraph);
      continue;
    }
    if (grads.every((g) => g === null)) continue;
    const full = grads.map((g, i) => g ?? zerosFor(node, i));
    const raw = withGradMode(createGraph, () => unchecked(() => node.backward(full)));
    const gradInputs = node.next.map((e, i) => {
      const g = raw[i] ?? null;
      const meta = node.inputMeta[i];
      if (!e || !g || !meta) return null;
      checkGradShape(node, i, g, meta.shape);
      return withGradMode(createGraph, () =>
        unchecked(() => toDtype(sumToShape(g, meta.shape, node.name), meta.dtype)),
      );
    });
    if (isAnomalyEnabled()) checkFinite(node, gradInputs);
    for (const h of node.postHooks) h(gradInputs, full);
    if (observers.length) for (const o of observers) o.backward?.({ node, gradOutputs: full, gradInputs });
    node.next.forEach((e, i) => {
      const g = gradInputs[i];
      if (e && g) deliver(e, g);
    });
    if (!retainGraph) node.release();
  }
}

/**
 * Runs part of a node's backward with anomaly checks of single ops paused. NOTE: so a NaN made by
 * a rule is reported once, by checkFinite, naming the node rather than an op the rule called.
 */
function unchecked<T>(fn: () => T): T {
  const prev = setAnomalyMode(false);
  try {
    return fn();
  } finally {
    setAnomalyMode(prev);
  }
}

/** A rule's gradient must be the input's shape or broadcast from it (the engine sums it back). */
function checkGradShape(node: Node, i: number, g: Tensor, shape: readonly number[]): void {
  const lead = g.ndim - shape.length;
  const fits = lead >= 0 && shape.every((s, d) => s === g.shape[d + lead] || s === 1);
  if (!fits) {
    throw new RangeError(
      `${node.name} returned an invalid gradient for input ${i}: got shape ${fmtShape(g.shape)}, expected ` +
        `${fmtShape(shape)} or a shape that broadcasts from it`,
    );
  }
}

function zerosFor(node: Node, i: number): Tensor {
  const m = node.outputMeta[i]!;
  return zerosRaw(m.shape, m.dtype);
}

/** Builds the capture table for autograd.grad's inputs. */
export function captureFor(inputs: Tensor[]): Capture {
  const keys = new Map<Node, Map<number, number>>();
  inputs.forEach((t, idx) => {
    if (!t.requiresGrad) throw new Error(`grad: input ${idx} does not require grad`);
    const node = t.gradFn ?? accumulatorOf(t);
    const m = keys.get(node) ?? new Map<number, number>();
    m.set(t.gradFn ? t.outputNr : 0, idx);
    keys.set(node, m);
  });
  return { keys, results: inputs.map(() => null) };
}
