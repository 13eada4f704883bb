// The gradient-flow report as an SVG picture: one row per layer (first layer at the top), a bar
// of its gradient norm on a log scale, its update/weight ratio and activation health beside it,
// layers with warnings in red, and the warnings listed underneath.

import { fmt } from "./format.js";
import type { FlowReport } from "./diagnostics.js";
import { xmlEscape } from "./graph-svg.js";

/** The report as a standalone SVG document. */
export function flowReportSvg(r: FlowReport, title = "Gradient flow"): string {
  const row = 26;
  const left = 150;
  const plot = 360;
  const top = 56;
  const cols = left + plot + 96;
  const width = cols + 240;
  const nonzero = r.layers.filter((l) => l.gradNorm > 0).map((l) => Math.log10(l.gradNorm));
  const lo = Math.floor(Math.min(...nonzero, -1)) - 1;
  const hi = Math.max(Math.ceil(Math.max(...nonzero, 0)), lo + 3);
  const logs = r.layers.map((l) => (l.gradNorm > 0 ? Math.log10(l.gradNorm) : lo));
  const tickStep = Math.ceil((hi - lo) / 8);
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * plot;
  const height = top + r.layers.length * row + 40 + r.warnings.length * 18 + 10;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="cr-flow" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${xmlEscape(title)} (loss ${fmt(r.loss)})</text>`,
    `<text x="${left}" y="40" fill="#495057">gradient norm |grad| per layer (log scale)</text>`,
    `<text x="${cols}" y="40" fill="#495057">|update|/|w|</text>`,
    `<text x="${cols + 110}" y="40" fill="#495057">activation</text>`,
  ];
  for (let d = hi; d >= lo; d -= tickStep) {
    const gx = x(d).toFixed(1);
    const y1 = top - 6;
    const y2 = top + r.layers.length * row;
    out.push(`<line x1="${gx}" y1="${y1}" x2="${gx}" y2="${y2}" stroke="#dee2e6"/>`);
    out.push(`<text x="${gx}" y="${y2 + 14}" text-anchor="middle" fill="#868e96">1e${d}</text>`);
  }
  r.layers.forEach((l, i) => {
    const y = top + i * row;
    const bad = l.warnings.length > 0;
    const actBad = l.warnings.some((w) => /dead|saturated/.test(w));
    const w = l.gradNorm > 0 ? Math.max(1, x(logs[i]!) - left) : 0;
    const a = l.activation;
    const act = !a
      ? ""
      : a.op === "relu"
        ? `dead ${Math.round((a.dead ?? 0) * 100)}%`
        : `${a.op} sat. ${Math.round((a.saturated ?? 0) * 100)}%`;
    out.push(
      `<g class="layer${bad ? " warn" : ""}" data-module="${xmlEscape(l.module)}">` +
        `<text x="10" y="${y + 16}">layer ${xmlEscape(l.module || "(root)")}</text>` +
        `<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="${row - 10}" fill="${bad ? "#e03131" : "#1c7ed6"}"/>` +
        `<text x="${(left + w + 4).toFixed(1)}" y="${y + 16}" fill="#212529">${fmt(l.gradNorm, 4)}</text>` +
        `<text x="${cols}" y="${y + 16}">${l.updateRatio === undefined ? "-" : fmt(l.updateRatio, 4)}</text>` +
        `<text x="${cols + 110}" y="${y + 16}" fill="${actBad ? "#e03131" : "#212529"}">${xmlEscape(act)}</text></g>`,
    );
  });
  const wy = top + r.layers.length * row + 40;
  if (!r.warnings.length) out.push(`<text x="10" y="${wy}" fill="#2b8a3e">no warnings</text>`);
  r.warnings.forEach((w, i) => out.push(`<text x="10" y="${wy + i * 18}" fill="#e03131">! ${xmlEscape(w)}</text>`));
  out.push("</svg>");
  return out.join("\n") + "\n";
}
