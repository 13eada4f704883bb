// Line charts as standalone SVG text (no dependencies): axes with "nice" ticks, labelled, one
// polyline per series with a legend. Used for the loss and accuracy curves of `chainrule train`.

/** One line of a chart; `values[i]` is plotted at x = i + 1 (epochs count from 1). */
export interface Series {
  name: string;
  values: number[];
  color: string;
}

/** A panel: title, axis labels and its series. */
export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Fixed y range (e.g. [0, 1] for accuracy); otherwise fitted to the data. */
  yRange?: [number, number];
  /** Formats tick labels on the y axis. */
  yFormat?: (v: number) => string;
}

const W = 460;
const H = 320;
const M = { left: 62, right: 16, top: 34, bottom: 64 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function panel(p: ChartPanel, dx: number): string {
  const finite = p.series.flatMap((s) => s.values.filter(Number.isFinite));
  let [lo, hi] = p.yRange ?? [Math.min(...finite, Infinity), Math.max(...finite, -Infinity)];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
  if (!p.yRange) {
    const pad = (hi - lo) * 0.05;
    [lo, hi] = [Math.max(lo - pad, lo >= 0 ? 0 : -Infinity), hi + pad];
  }
  const n = Math.max(1, ...p.series.map((s) => s.values.length));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const xOf = (i: number) => dx + M.left + (n === 1 ? pw / 2 : ((i - 1) / (n - 1)) * pw);
  const yOf = (v: number) => M.top + ph - ((v - lo) / (hi - lo)) * ph;
  const fmt = p.yFormat ?? ((v: number) => String(Number(v.toPrecision(4))));
  const parts: string[] = [];
  parts.push(
    `<text x="${dx + W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(p.title)}</text>`,
  );
  for (const t of niceTicks(lo, hi)) {
    const y = yOf(t).toFixed(1);
    parts.push(`<line x1="${dx + M.left}" x2="${dx + W - M.right}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>`);
    parts.push(
      `<text x="${dx + M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(fmt(t))}</text>`,
    );
  }
  // the first epoch always gets a tick, then round numbers
  const xTicks = [1, ...niceTicks(1, n, Math.min(n - 1, 8)).filter((t) => Number.isInteger(t) && t > 1)];
  for (const t of xTicks) {
    const x = xOf(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${M.top + ph}" y2="${M.top + ph + 4}" stroke="#333"/>`);
    parts.push(`<text x="${x}" y="${M.top + ph + 17}" text-anchor="middle">${t}</text>`);
  }
  const x0 = dx + M.left;
  parts.push(`<line x1="${x0}" x2="${x0}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/>`);
  parts.push(`<line x1="${x0}" x2="${dx + W - M.right}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  parts.push(`<text x="${dx + M.left + pw / 2}" y="${M.top + ph + 36}" text-anchor="middle">${esc(p.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(${dx + 16} ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`,
  );
  p.series.forEach((s, k) => {
    const pts = s.values
      .map((v, i) => (Number.isFinite(v) ? `${xOf(i + 1).toFixed(1)},${yOf(v).toFixed(1)}` : null))
      .filter((q) => q !== null);
    if (pts.length > 1)
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(" ")}"/>`);
    for (const q of pts) {
      const [cx, cy] = q.split(",");
      parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${s.color}"/>`);
    }
    const lx = dx + M.left + 10 + k * 130;
    const ly = H - 12;
    parts.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="3"/>`);
    parts.push(`<text x="${lx + 28}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  return parts.join("\n");
}

/** Panels side by side in one SVG document. */
export function chartSvg(panels: ChartPanel[]): string {
  const width = W * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H}" viewBox="0 0 ${width} ${H}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${H}" fill="white"/>`,
    ...panels.map((p, i) => panel(p, i * W)),
    "</svg>",
    "",
  ].join("\n");
}
