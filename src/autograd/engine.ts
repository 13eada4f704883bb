// The backward engine: one iterative walk over the graph in reverse topological order. It owns
// what every rule would otherwise repeat: summing gradients that meet at a node (the notes'
// "copy gate adds"), reducing broadcast gradients back to each input's shape, casting them to
// the input's dtype, running hooks, accumulating into leaves and freeing saved tensors. Who holds
// each gradient buffer, and so which may be summed into in place or freed, is grad-buffers.ts's.

import { fmtShape, sameShape } from "../core/shape.js";
import type { TensorBase } from "../tensor/tensor.js";
import { castTo, sumToShape } from "../ops/broadcast.js";
import { zerosRaw } from "../ops/unrecorded.js";
import { setGradEnabled } from "../graph/grad-mode.js";
import {
  type AccumulateGrad,
  accumulatorOf,
  edgeOf,
  isAnomalyEnabled,
  type Node,
  nodeOf,
  setAnomalyMode,
} from "../graph/node.js";
import { observers } from "../graph/observe.js";
import { GradBuffers, type Grads } from "./grad-buffers.js";
import { MaxHeap } from "./heap.js";

/** Options shared by backward() and autograd.grad(). */
export interface RunOptions {
  /** Keep the saved tensors after the walk, so the graph can be walked again (default: createGraph). */
  retainGraph?: boolean;
  /** Record the backward computation itself, for higher-order gradients. */
  createGraph?: boolean;
}

/** Where to deliver gradients instead of accumulating into leaves (autograd.grad). */
interface Capture {
  keys: Map<Node, Map<number, number>>;
  results: (TensorBase | null)[];
}

/** What every node of one walk needs to know. */
interface Walk {
  buffers: GradBuffers;
  capture: Capture | undefined;
  createGraph: boolean;
  anomaly: boolean;
}

/**
 * Runs backward from `roots` seeded with `seeds`. Without `capture`, gradients accumulate into
 * leaves' `.grad`; with it, they are returned for the captured tensors and leaves are untouched.
 */
export function runBackward(roots: TensorBase[], seeds: TensorBase[], opts: RunOptions, capture?: Capture): void {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const rootEdges = roots.map(rootEdge);
  const order = schedule(rootEdges.map((e) => e.node));
  const needed = capture ? neededFor(order, capture) : null;
  // an observer may keep any gradient or saved tensor it was shown: those are left to the collector
  const observed = observers.length > 0;
  const buffers = new GradBuffers(!createGraph && !observed);
  const walk: Walk = { buffers, capture, createGraph, anomaly: isAnomalyEnabled() };
  // NOTE: one mode switch for the whole walk: rules record a graph only under createGraph, and
  // single-op anomaly checks pause so a NaN made by a rule is reported once, naming the node
  const prevGrad = setGradEnabled(createGraph);
  setAnomalyMode(false);
  try {
    buffers.send(rootEdges, seeds);
    for (const node of order) {
      const arrived = buffers.take(node);
      if (!arrived) continue;
      if (needed && !needed.has(node)) {
        buffers.free(arrived);
        continue;
      }
      buffers.free(runNode(node, arrived, walk));
      if (!retainGraph) node.release(!observed);
    }
  } finally {
    setGradEnabled(prevGrad);
    setAnomalyMode(walk.anomaly);
  }
}

/**
 * Runs one node on the gradients summed at it: hooks, then capture (autograd.grad), accumulation
 * into a leaf's .grad, or its backward rule, whose gradients are reduced to each input's shape and
 * sent on. Returns every gradient it took in or made, for the walk to free those nothing holds.
 */
function runNode(node: Node, arrived: Grads, walk: Walk): (TensorBase | null | undefined)[] {
  const { buffers, capture } = walk;
  // tensor hooks run even where the gradient is captured rather than propagated (PyTorch 2)
  const gradOutputs = arrived.map((g, i) => g && runHooks(node, i, g, buffers));
  if (capture) captureGrads(node, gradOutputs, capture, buffers);
  if (node.kind === "leaf") {
    if (!capture) buffers.accumulate((node as AccumulateGrad).variable, gradOutputs[0]!, walk.createGraph);
    return arrived;
  }
  const filled = node.outputMeta.map((m, i) => gradOutputs[i] ?? zerosRaw(m.shape, m.dtype));
  const raw = node.backward(filled);
  // a user-defined Function's backward is user code: it may keep what it is given or returns
  if (node.kind === "function") for (const g of [...filled, ...raw]) if (g) buffers.handOut(g);
  const gradInputs = node.next.map((e, i) => (e ? toInputShape(node, i, raw[i]) : null));
  if (walk.anomaly) checkFinite(node, gradInputs);
  for (const o of observers) o.backward?.({ node, gradOutputs: filled, gradInputs });
  buffers.send(node.next, gradInputs);
  return [...arrived, ...filled, ...raw, ...gradInputs];
}

/** The edge a root's seed enters the graph by. */
function rootEdge(root: TensorBase, i: number) {
  const e = edgeOf(root);
  if (!e) {
    throw new Error(
      `backward: element ${i} of the outputs does not require grad and has no gradFn; nothing to differentiate`,
    );
  }
  return e;
}

let walkCounter = 0;

/**
 * Nodes in execution order: a node runs after every node that sends it a gradient (Kahn's
 * algorithm; among ready nodes the latest created runs first, as in PyTorch). Dependency counts
 * live on the nodes, tagged with this walk's number, so no map is built per backward.
 */
function schedule(roots: Node[]): Node[] {
  const walk = ++walkCounter;
  const stack: Node[] = [];
  for (const r of roots) {
    if (r._walk !== walk) {
      r._walk = walk;
      r._deps = 0;
      stack.push(r);
    }
  }
  while (stack.length) {
    const n = stack.pop()!;
    for (const e of n.next) {
      if (!e) continue;
      const m = e.node;
      if (m._walk !== walk) {
        m._walk = walk;
        m._deps = 1;
        stack.push(m);
      } else m._deps++;
    }
  }
  const order: Node[] = [];
  const ready = new MaxHeap<Node>((n) => (n.kind === "leaf" ? Infinity : n.seq));
  for (const r of new Set(roots)) if (r._deps === 0) ready.push(r);
  while (ready.size) {
    const n = ready.pop()!;
    order.push(n);
    for (const e of n.next) if (e && --e.node._deps === 0) ready.push(e.node);
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

/**
 * Runs the hooks on the gradient of output i (a leaf's tensor hooks, or the node's pre-hooks, then
 * retainGrad's) and returns the gradient they leave. Hooks may keep what they see: it is handed out.
 */
function runHooks(node: Node, i: number, grad: TensorBase, buffers: GradBuffers): TensorBase {
  const hooks = node.kind === "leaf" ? (node as AccumulateGrad).variable._hooks : node.preHooks?.get(i);
  const retain = node.retainGradHooks?.get(i);
  if (!hooks?.length && !retain) return grad;
  buffers.handOut(grad);
  for (const h of hooks ?? []) {
    const r = h(grad);
    if (!r) continue;
    if (!sameShape(r.shape, grad.shape)) {
      const where = node.kind === "leaf" ? "a leaf tensor" : `output ${i} of ${node.name}`;
      throw new RangeError(
        `hook on ${where}: returned a gradient of shape ${fmtShape(r.shape)}, expected ${fmtShape(grad.shape)}`,
      );
    }
    grad = r;
  }
  retain?.(grad);
  buffers.handOut(grad);
  return grad;
}

/** Gives autograd.grad the gradients it asked for at this node. */
function captureGrads(node: Node, grads: Grads, capture: Capture, buffers: GradBuffers): void {
  const wanted = capture.keys.get(node);
  if (!wanted) return;
  for (const [outputNr, idx] of wanted) {
    const g = grads[outputNr] ?? null;
    capture.results[idx] = g;
    if (g) buffers.handOut(g);
  }
}

/** A rule's gradient for input i, summed back to the input's shape and cast to its dtype. */
function toInputShape(node: Node, i: number, g: TensorBase | null | undefined): TensorBase | null {
  const meta = node.inputMeta[i];
  if (!g || !meta) return null;
  checkGradShape(node, i, g, meta.shape);
  return castTo(sumToShape(g, meta.shape, node.name), meta.dtype);
}

/** A rule's gradient must be the input's shape or broadcast from it (the engine sums it back). */
function checkGradShape(node: Node, i: number, g: TensorBase, shape: readonly number[]): void {
  const lead = g.ndim - shape.length;
  const fits = lead >= 0 && shape.every((s, d) => s === g.shape[d + lead] || s === 1);
  if (!fits) {
    throw new RangeError(
      `${node.name} returned an invalid gradient for input ${i}: got shape ${fmtShape(g.shape)}, expected ` +
        `${fmtShape(shape)} or a shape that broadcasts from it`,
    );
  }
}

function checkFinite(node: Node, grads: Grads): void {
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

/** Builds the capture table for autograd.grad's inputs. */
export function captureFor(inputs: TensorBase[]): Capture {
  const keys = new Map<Node, Map<number, number>>();
  inputs.forEach((t, idx) => {
    if (!t.requiresGrad) throw new Error(`grad: input ${idx} does not require grad`);
    const node = nodeOf(t) ?? accumulatorOf(t);
    const m = keys.get(node) ?? new Map<number, number>();
    m.set(t.gradFn ? t.outputNr : 0, idx);
    keys.set(node, m);
  });
  return { keys, results: inputs.map(() => null) };
}
