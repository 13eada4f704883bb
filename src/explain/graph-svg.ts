// The graph as an SVG picture: dagre lays the nodes out (data flowing left to right, modules as
// clusters in the order they ran), and this file writes the SVG from dagre's coordinates. Nodes
// and edges carry data- attributes (data-id, data-from, data-to) so the viewer can highlight them.

import dagre from "@dagrejs/dagre";
import { type GraphEdge, type GraphModel, type GraphNode, nodeLines } from "./graph.js";

/** Options of the SVG export. */
export interface SvgOptions {
  /** Font size in px (default 12); node sizes follow from it. */
  fontSize?: number;
  /** Draw a dashed box around the ops of each module (default true). */
  clusters?: boolean;
}

/** A graph laid out: node centres and sizes, edge polylines, cluster boxes. */
export interface Layout {
  /** Width of the drawing, px. */
  width: number;
  /** Height of the drawing, px. */
  height: number;
  /** The nodes, each with its box. */
  nodes: {
    /** The graph node drawn. */
    node: GraphNode;
    /** Its centre's distance from the left edge. */
    x: number;
    /** Its centre's distance from the top edge. */
    y: number;
    /** Its box's width. */
    width: number;
    /** Its box's height. */
    height: number;
    /** Its label, one string per line. */
    lines: string[];
  }[];
  /** The edges, each as a polyline. */
  edges: {
    /** Id of the node the edge leaves. */
    from: string;
    /** Id of the node it enters. */
    to: string;
    /** The polyline's points, from the tail to the head. */
    points: {
      /** Distance from the left edge. */
      x: number;
      /** Distance from the top edge. */
      y: number;
    }[];
  }[];
  /** The boxes drawn around the ops of each module. */
  clusters: {
    /** The module's path. */
    module: string;
    /** The box's left edge. */
    x: number;
    /** The box's top edge. */
    y: number;
    /** The box's width. */
    width: number;
    /** The box's height. */
    height: number;
  }[];
}

/** Escapes text for SVG/XML. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Runs dagre on the graph; sizes come from the label lines in a monospace font. */
export function layoutGraph(g: GraphModel, opts: SvgOptions = {}): Layout {
  const font = opts.fontSize ?? 12;
  const charW = font * 0.62;
  const lineH = font * 1.3;
  const dg = new dagre.graphlib.Graph({ multigraph: true, compound: opts.clusters ?? true });
  dg.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 30, marginx: 12, marginy: 12 });
  dg.setDefaultEdgeLabel(() => ({}));
  const lines = new Map<string, string[]>();
  for (const n of g.nodes) {
    const l = nodeLines(n);
    lines.set(n.id, l);
    const width = Math.ceil(Math.max(...l.map((s) => s.length)) * charW + 18);
    dg.setNode(n.id, { width, height: Math.ceil(l.length * lineH + 12) });
  }
  if (opts.clusters ?? true) {
    const modules = new Set(g.nodes.filter((n) => n.kind === "op" && n.module).map((n) => n.module!));
    for (const m of modules) dg.setNode(`cluster:${m}`, { width: 0, height: 0, paddingTop: lineH + 4 });
    for (const n of g.nodes) if (n.kind === "op" && n.module) dg.setParent(n.id, `cluster:${n.module}`);
  }
  g.edges.forEach((e, i) => dg.setEdge(e.from, e.to, {}, `e${i}`));
  moduleOrderEdges(g).forEach(([from, to], i) => dg.setEdge(from, to, { weight: 0 }, `order${i}`));
  dagre.layout(dg);
  const size = dg.graph();
  return {
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes: g.nodes.map((node) => {
      const l = dg.node(node.id);
      return { node, x: l.x!, y: l.y!, width: l.width, height: l.height, lines: lines.get(node.id)! };
    }),
    edges: g.edges.map((e, i) => ({
      from: e.from,
      to: e.to,
      points: dg.edge({ v: e.from, w: e.to, name: `e${i}` }).points ?? [],
    })),
    clusters: dg
      .nodes()
      .filter((id: string) => id.startsWith("cluster:"))
      .map((id: string) => {
        const l = dg.node(id);
        return { module: id.slice(8), x: l.x! - l.width / 2, y: l.y! - l.height / 2, width: l.width, height: l.height };
      }),
  };
}

/**
 * Invisible edges that rank each module's ops after the previous module's: from the ops whose
 * output leaves a module to the ops that start the next one. Without them dagre ranks an op by
 * its own inputs alone (the permute of layer 2's weight beside layer 1's sigmoid), so a later
 * module can be drawn level with or before an earlier one and the path zigzags. An edge that
 * would close a cycle (a module run twice, around another) is left out.
 */
function moduleOrderEdges(g: GraphModel): [string, string][] {
  const moduleOf = new Map(g.nodes.filter((n) => n.kind === "op" && n.module).map((n) => [n.id, n.module!]));
  const next = new Map<string, string[]>();
  const link = (from: string, to: string) => next.set(from, [...(next.get(from) ?? []), to]);
  g.edges.forEach((e) => link(e.from, e.to));
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length) {
      for (const n of next.get(stack.pop()!) ?? []) {
        if (n === to) return true;
        if (seen.has(n)) continue;
        seen.add(n);
        stack.push(n);
      }
    }
    return false;
  };
  const within = (e: GraphEdge) => moduleOf.has(e.from) && moduleOf.get(e.from) === moduleOf.get(e.to);
  const ops = (m: string) => [...moduleOf].filter(([, mod]) => mod === m).map(([id]) => id);
  const exits = (m: string) => ops(m).filter((id) => !g.edges.some((e) => e.from === id && within(e)));
  const entries = (m: string) => ops(m).filter((id) => !g.edges.some((e) => e.to === id && within(e)));
  const order = [...new Set(moduleOf.values())];
  const added: [string, string][] = [];
  order.slice(1).forEach((m, i) => {
    for (const from of exits(order[i]!)) {
      for (const to of entries(m)) {
        if (reaches(to, from)) continue;
        added.push([from, to]);
        link(from, to);
      }
    }
  });
  return added;
}

const FILL: Record<GraphNode["kind"], string> = {
  op: "#ffffff",
  parameter: "#cfe2ff",
  leaf: "#d1e7dd",
  input: "#f1f3f5",
  output: "#fff3cd",
};

const STYLE = [
  ".cr-graph text { font-family: ui-monospace, Menlo, Consolas, monospace; fill: #212529; }",
  ".cr-graph .node rect { stroke: #495057; stroke-width: 1.2; }",
  ".cr-graph .node.nograd rect { stroke-dasharray: 4 3; }",
  ".cr-graph .edge path { fill: none; stroke: #868e96; stroke-width: 1.2; }",
  ".cr-graph .cluster rect { fill: #f8f9fa; stroke: #adb5bd; stroke-dasharray: 6 4; }",
].join("\n");

/** The graph as a standalone SVG document. */
export function toSvg(g: GraphModel, opts: SvgOptions = {}): string {
  const font = opts.fontSize ?? 12;
  const lineH = font * 1.3;
  const lay = layoutGraph(g, opts);
  const r = (v: number) => Math.round(v * 10) / 10;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="cr-graph" width="${lay.width}" height="${lay.height}" ` +
      `viewBox="0 0 ${lay.width} ${lay.height}" font-size="${font}">`,
    `<defs><marker id="cr-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" ` +
      `orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#868e96"/></marker></defs>`,
    `<style>${STYLE}</style>`,
  ];
  for (const c of lay.clusters) {
    out.push(
      `<g class="cluster" data-module="${xmlEscape(c.module)}"><rect x="${r(c.x)}" y="${r(c.y)}" ` +
        `width="${r(c.width)}" height="${r(c.height)}" rx="6"/>` +
        `<text x="${r(c.x + 6)}" y="${r(c.y + lineH)}">module ${xmlEscape(c.module)}</text></g>`,
    );
  }
  for (const e of lay.edges) {
    const d = e.points.map((p, i) => `${i ? "L" : "M"}${r(p.x)},${r(p.y)}`).join(" ");
    out.push(
      `<g class="edge" data-from="${xmlEscape(e.from)}" data-to="${xmlEscape(e.to)}">` +
        `<path d="${d}" marker-end="url(#cr-arrow)"/></g>`,
    );
  }
  for (const n of lay.nodes) {
    const { node } = n;
    const cls = `node ${node.kind}${node.differentiable === false ? " nograd" : ""}`;
    const top = -n.height / 2 + 6 + font;
    const text = n.lines
      .map((l, i) => `<tspan x="0" y="${r(top + i * lineH)}"${i ? "" : ' font-weight="bold"'}>${xmlEscape(l)}</tspan>`)
      .join("");
    out.push(
      `<g class="${cls}" data-id="${xmlEscape(node.id)}" transform="translate(${r(n.x)},${r(n.y)})">` +
        `<rect x="${r(-n.width / 2)}" y="${r(-n.height / 2)}" width="${n.width}" height="${n.height}" ` +
        `rx="${node.kind === "op" ? 4 : 10}" fill="${FILL[node.kind]}"/>` +
        `<text text-anchor="middle">${text}</text></g>`,
    );
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
