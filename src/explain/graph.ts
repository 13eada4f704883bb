// The gradFn graph as data, and its exports. graphOf(tensor) walks the live graph from a tensor's
// gradFn through next edges to the AccumulateGrad nodes of the leaves (parameters named by their
// module path); graphOfTrace(trace) draws the same graph from a recorded pass, with the ops'
// values and the inputs that need no gradient. Exports: DOT, Mermaid and JSON (SVG: graph-svg.ts).

import { AccumulateGrad, accumulatorOf, type Node, nodeOf } from "../graph/node.js";
import type { Tensor } from "../api/tensor.js";
import type { TensorBase } from "../tensor/tensor.js";
import { fmtShapeOf } from "./format.js";
import type { Trace } from "./trace-data.js";

/** What a graph node stands for. */
export type GraphNodeKind = "op" | "parameter" | "leaf" | "input" | "output";

/** A node of the exported graph. */
export interface GraphNode {
  /** Unique within the graph. */
  id: string;
  /** What the node stands for. */
  kind: GraphNodeKind;
  /** First line of its label: the backward node's name, or the tensor's name. */
  label: string;
  /** The forward op ('mul') when known. */
  op?: string;
  /** The shape of the tensor it makes. */
  shape?: number[];
  /** The module path it belongs to, if any. */
  module?: string;
  /** What the node saved for backward, e.g. 'input 0 [1, 3]'. */
  saved?: string[];
  /** False for ops recorded without a graph node (no gradient flows through them). */
  differentiable?: boolean;
  /** The trace step or value it shows, when drawn from a trace. */
  step?: number;
  /** The trace value id it shows, when drawn from a trace. */
  value?: number;
}

/** An edge in the forward direction: a tensor flowing from `from` into input `input` of `to`. */
export interface GraphEdge {
  /** Id of the node the tensor leaves. */
  from: string;
  /** Id of the node it enters. */
  to: string;
  /** Which input of `to` it is. */
  input?: number;
  /** The tensor's shape. */
  shape?: number[];
}

/** A graph ready for export. */
export interface GraphModel {
  /** The nodes. */
  nodes: GraphNode[];
  /** The edges, in the forward direction. */
  edges: GraphEdge[];
}

function savedOf(node: Node): string[] {
  return (node.saved ?? []).map((s) => {
    try {
      return `tensor ${fmtShapeOf(s.unpack().shape)}`;
    } catch {
      return "freed";
    }
  });
}

/** The gradFn graph of `root`, from its node back to the leaves; `names` labels leaves by tensor. */
export function graphOf(root: Tensor, names: Record<string, Tensor> = {}): GraphModel {
  const labelOf = new Map<TensorBase, string>(Object.entries(names).map(([k, t]) => [t, k]));
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const ids = new Map<Node, string>();
  let leaves = 0;
  const idOf = (n: Node): string => {
    let id = ids.get(n);
    if (id) return id;
    if (n instanceof AccumulateGrad) {
      const v = n.variable;
      const name = labelOf.get(v) ?? v.name;
      id = `leaf${leaves++}`;
      const kind = name?.includes(".") ? "parameter" : "leaf";
      nodes.push({ id, kind, label: name ?? `leaf ${fmtShapeOf(v.shape)}`, shape: [...v.shape] });
    } else {
      id = `n${n.seq}`;
      nodes.push({
        id,
        kind: "op",
        label: n.name,
        op: n.op,
        shape: n.outputMeta[0] ? [...n.outputMeta[0].shape] : undefined,
        saved: savedOf(n),
        differentiable: true,
      });
    }
    ids.set(n, id);
    return id;
  };
  const outName = labelOf.get(root) ?? root.name ?? (root.numel() === 1 ? "L" : "out");
  nodes.push({ id: "output", kind: "output", label: outName, shape: [...root.shape] });
  const rootNode = nodeOf(root);
  if (!rootNode) {
    if (root.requiresGrad) edges.push({ from: idOf(accumulatorOf(root)), to: "output" });
    return { nodes, edges };
  }
  edges.push({ from: idOf(rootNode), to: "output", shape: [...root.shape] });
  const stack = [rootNode];
  const seen = new Set<Node>(stack);
  while (stack.length) {
    const n = stack.pop()!;
    n.next.forEach((e, k) => {
      if (!e) return;
      edges.push({
        from: idOf(e.node),
        to: idOf(n),
        input: k,
        shape: n.inputMeta[k] ? [...n.inputMeta[k]!.shape] : undefined,
      });
      if (!seen.has(e.node)) {
        seen.add(e.node);
        stack.push(e.node);
      }
    });
  }
  return { nodes, edges };
}

/** The graph of a recorded pass: one node per op, one per leaf or input it read, one for the output. */
export function graphOfTrace(trace: Trace): GraphModel {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const valueNode = new Map<number, string>();
  const sourceOf = (id: number): string | undefined => {
    const v = trace.values[id]!;
    if (v.detachedFrom !== undefined) return sourceOf(v.detachedFrom);
    if (v.producer !== undefined) return `s${v.producer}`;
    if (v.kind === "constant") return undefined;
    let nid = valueNode.get(id);
    if (!nid) {
      nid = `v${id}`;
      valueNode.set(id, nid);
      const kind = v.kind === "parameter" ? "parameter" : v.kind === "leaf" ? "leaf" : "input";
      nodes.push({ id: nid, kind, label: v.label, shape: v.data.shape, module: v.module, value: id });
    }
    return nid;
  };
  for (const s of trace.steps) {
    const out = trace.values[s.output]!;
    nodes.push({
      id: `s${s.id}`,
      kind: "op",
      label: s.node ?? s.op,
      op: s.op,
      shape: out.data.shape,
      module: s.module,
      saved: s.saved.map((what) => {
        const k = /^input (\d+)$/.exec(what);
        return k ? `${what} (${trace.values[s.inputs[Number(k[1])]!]!.label})` : what;
      }),
      differentiable: s.node !== undefined,
      step: s.id,
      value: s.output,
    });
    s.inputs.forEach((id, k) => {
      const from = sourceOf(id);
      if (from) edges.push({ from, to: `s${s.id}`, input: k, shape: trace.values[id]!.data.shape });
    });
  }
  const loss = trace.loss;
  nodes.push({ id: "output", kind: "output", label: loss.label, shape: loss.data.shape, value: loss.id });
  const from = sourceOf(loss.id);
  if (from) edges.push({ from, to: "output", shape: loss.data.shape });
  return { nodes, edges };
}

/** The lines of a node's label: name, shape, module and saved tensors. */
export function nodeLines(n: GraphNode): string[] {
  const lines = [n.label];
  if (n.kind === "op" && n.op && n.label !== n.op) lines.push(n.op);
  if (n.shape) lines.push(fmtShapeOf(n.shape));
  if (n.kind === "op" && n.module) lines.push(`module ${n.module}`);
  if (n.saved?.length) lines.push(`saved: ${n.saved.join(", ")}`);
  return lines;
}

const dotEscape = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');

/** Graphviz DOT: ops as boxes, parameters shaded, inputs as ellipses, the output double-circled. */
export function toDot(g: GraphModel, name = "gradFn"): string {
  const style: Record<GraphNodeKind, string> = {
    op: "shape=box, style=rounded",
    parameter: 'shape=box, style="filled", fillcolor="#cfe2ff"',
    leaf: 'shape=box, style="filled", fillcolor="#d1e7dd"',
    input: "shape=ellipse",
    output: 'shape=doubleoctagon, style="filled", fillcolor="#fff3cd"',
  };
  const lines = [`digraph "${dotEscape(name)}" {`, "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=11];'];
  for (const n of g.nodes) {
    const dashed = n.differentiable === false ? ", style=dashed" : "";
    lines.push(`  "${n.id}" [label="${nodeLines(n).map(dotEscape).join("\\n")}", ${style[n.kind]}${dashed}];`);
  }
  for (const e of g.edges) {
    const label = e.shape ? ` [label="${fmtShapeOf(e.shape)}"]` : "";
    lines.push(`  "${e.from}" -> "${e.to}"${label};`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

const mermaidEscape = (s: string) => s.replace(/"/g, "#quot;");

/** Mermaid flowchart, top to bottom. */
export function toMermaid(g: GraphModel): string {
  const lines = ["flowchart TB"];
  for (const n of g.nodes) {
    const text = nodeLines(n).map(mermaidEscape).join("<br/>");
    const shape =
      n.kind === "op"
        ? `["${text}"]`
        : n.kind === "output"
          ? `{{"${text}"}}`
          : n.kind === "input"
            ? `(["${text}"])`
            : `[("${text}")]`;
    lines.push(`  ${n.id}${shape}`);
  }
  for (const e of g.edges) lines.push(`  ${e.from} -->${e.shape ? `|"${fmtShapeOf(e.shape)}"|` : ""} ${e.to}`);
  lines.push("  classDef parameter fill:#cfe2ff,stroke:#0a58ca;");
  lines.push("  classDef output fill:#fff3cd,stroke:#997404;");
  const params = g.nodes.filter((n) => n.kind === "parameter").map((n) => n.id);
  if (params.length) lines.push(`  class ${params.join(",")} parameter;`);
  lines.push("  class output output;");
  return lines.join("\n") + "\n";
}

/** The graph as indented JSON. */
export function toGraphJSON(g: GraphModel): string {
  return JSON.stringify(g, null, 2) + "\n";
}
