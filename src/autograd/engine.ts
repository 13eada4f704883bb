// The backward engine: one iterative walk over the graph in reverse topological order. It owns
// what every rule would otherwise repeat: summing gradients that meet at a node (the notes'
// "copy gate adds"), reducing broadcast gradients back to each input's shape, casting them to
// the input's dtype, running hooks, accumulating into leaves and freeing saved tensors.

import { fmtShape, sameShape } from "../core/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { add } from "../ops/elementwise.js";
import { castTo, sumToShape } from "../ops/reduce.js";
import { zerosRaw } from "../ops/unrecorded.js";
import { noGrad, setGradEnabled } from "../graph/grad-mode.js";
import {
  AccumulateGrad,
  accumulatorOf,
  type Edge,
  edgeOf,
  isAnomalyEnabled,
  Node,
  setAnomalyMode,
} from "../graph/node.js";
import { observers } from "../graph/observe.js";
import { GradLifetimes } from "./grad-lifetimes.js";
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
  const ready = new MaxHeap<Node>((n) => (n instanceof AccumulateGrad ? Infinity : n.seq));
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

function runHooks(
  hooks: ((g: Tensor) => Tensor | void | undefined)[] | null | undefined,
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

function accumulateLeaf(node: AccumulateGrad, grad: Tensor, createGraph: boolean, life: GradLifetimes): void {
  const v = node.variable;
  const had = v._grad;
  if (createGraph) {
    v.grad = had ? add(had, grad) : grad;
  } else if (!had) {
    if (life.canAdopt(grad)) {
      v._grad = new Tensor(grad.storage, grad.shape, grad.strides, 0);
      // an observer may have kept the walk's own tensor on this buffer (the walk reclaims nothing then)
      v._gradUnseen = life.reclaimOn;
    } else {
      v._grad = noGrad(() => grad.detach().clone());
      v._gradUnseen = true;
    }
    life.handOut(v._grad);
  } else if (had.requiresGrad) {
    v.grad = noGrad(() => add(had, grad));
  } else {
    noGrad(() => had.add_(grad));
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
  const order = schedule(rootNodes);
  const needed = capture ? neededFor(order, capture) : null;
  const buffers = new Map<Node, (Tensor | null)[]>();
  const life = new GradLifetimes(!createGraph && observers.length === 0);
  // sums replaced in their slot, freed only once the node has delivered all its gradients
  const replaced: Tensor[] = [];
  // gradients meeting at a slot add up (the notes' "copy gate adds"), in place when the walk owns the sum
  const deliver = (e: Edge, g: Tensor) => {
    let buf = buffers.get(e.node);
    if (!buf) buffers.set(e.node, (buf = []));
    const prev = buf[e.outputNr];
    if (!prev) {
      buf[e.outputNr] = g;
      life.hold(g);
    } else if (life.canAccumulateInto(prev, g)) {
      noGrad(() => prev.add_(g));
    } else {
      const sum = add(prev, g);
      buf[e.outputNr] = sum;
      life.hold(sum);
      life.drop(prev);
      // freed with the node's other gradients once it has delivered them all
      replaced.push(prev);
    }
  };
  // NOTE: one mode switch for the whole walk: rules record a graph only under createGraph, and
  // single-op anomaly checks pause so a NaN made by a rule is reported once, naming the node
  const prevGrad = setGradEnabled(createGraph);
  const anomaly = isAnomalyEnabled();
  setAnomalyMode(false);
  try {
    for (let i = 0; i < rootEdges.length; i++) deliver(rootEdges[i]!, seeds[i]!);
    for (const node of order) {
      const buf = buffers.get(node);
      buffers.delete(node);
      if (!buf) continue;
      for (const g of buf) if (g) life.drop(g);
      if (needed && !needed.has(node)) {
        for (const g of buf) life.reclaim(g);
        continue;
      }
      // every gradient this node took in or made is dead now unless delivered or handed out
      for (const t of runNode(node, buf, capture, createGraph, anomaly, life, deliver)) life.reclaim(t);
      for (const t of replaced.splice(0)) life.reclaim(t);
      if (!retainGraph) node.release();
    }
  } finally {
    setGradEnabled(prevGrad);
    setAnomalyMode(anomaly);
  }
}

/**
 * Runs one node: hooks, capture or accumulation, its backward rule, and delivery to its inputs.
 * Returns the gradients it took in and made, for the walk to free those nothing refers to.
 */
function runNode(
  node: Node,
  buf: (Tensor | null)[],
  capture: Capture | undefined,
  createGraph: boolean,
  anomaly: boolean,
  life: GradLifetimes,
  deliver: (e: Edge, g: Tensor) => void,
): (Tensor | null)[] {
  const nOut = node.outputMeta.length;
  const grads: (Tensor | null)[] = new Array(nOut);
  const seen: (Tensor | null)[] = [...buf];
  let any = false;
  // a user-defined Function's backward is user code that may keep what it gets or returns
  const userCode = !(node instanceof AccumulateGrad) && node.op === undefined;
  // tensor hooks run even where the gradient is captured rather than propagated (PyTorch 2)
  for (let i = 0; i < nOut; i++) {
    let g = buf[i] ?? null;
    if (g) {
      any = true;
      const hooks = node instanceof AccumulateGrad ? node.variable._hooks : node.preHooks?.get(i);
      if (hooks?.length || node.retainGradHooks?.has(i) || userCode) {
        // a user's hook or function may keep this gradient or its replacement: none is the walk's any more
        life.handOut(g);
        g = runHooks(hooks, g, node instanceof AccumulateGrad ? "a leaf tensor" : `output ${i} of ${node.name}`);
        node.retainGradHooks?.get(i)?.(g);
        life.handOut(g);
      }
    }
    grads[i] = g;
  }
  const captured = capture?.keys.get(node);
  if (captured) {
    for (const [nr, idx] of captured) {
      const g = grads[nr] ?? null;
      capture!.results[idx] = g;
      if (g) life.handOut(g);
    }
  }
  if (node instanceof AccumulateGrad) {
    if (!capture && grads[0]) accumulateLeaf(node, grads[0], createGraph, life);
    seen.push(grads[0] ?? null);
    return seen;
  }
  if (!any) return seen;
  const full = grads as Tensor[];
  for (let i = 0; i < nOut; i++) if (!full[i]) full[i] = zerosFor(node, i);
  seen.push(...full);
  const raw = node.backward(full);
  const next = node.next;
  const gradInputs: (Tensor | null)[] = new Array(next.length);
  for (let i = 0; i < next.length; i++) {
    const g = raw[i] ?? null;
    const meta = node.inputMeta[i];
    if (g && userCode) life.handOut(g);
    seen.push(g);
    if (!next[i] || !g || !meta) {
      gradInputs[i] = null;
      continue;
    }
    checkGradShape(node, i, g, meta.shape);
    gradInputs[i] = castTo(sumToShape(g, meta.shape, node.name), meta.dtype);
    if (gradInputs[i] !== g) seen.push(gradInputs[i]!);
  }
  if (anomaly) checkFinite(node, gradInputs);
  if (observers.length) for (const o of observers) o.backward?.({ node, gradOutputs: full, gradInputs });
  // in flight until all are delivered, so no slot is summed into in place while its buffer is still to be sent on
  for (const g of gradInputs) if (g) life.hold(g);
  for (let i = 0; i < next.length; i++) {
    const e = next[i];
    const g = gradInputs[i];
    if (e && g) deliver(e, g);
  }
  for (const g of gradInputs) if (g) life.drop(g);
  return seen;
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
