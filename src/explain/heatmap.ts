// Heatmap pictures (saliency maps): one layout, drawn as SVG or as PNG. The layout places the
// title lines, the grey input image beside the heatmap, a caption over each, and a white-to-red
// colour scale under the heatmap with its values; its text width is measured in the pixel font's
// advance, so the SVG and the PNG show the same picture and no text runs past the edge.

import { fmt } from "./format.js";
import { xmlEscape } from "./graph-svg.js";
import { drawText, GLYPH_ADVANCE, LINE_HEIGHT } from "./pixel-font.js";
import { encodePng } from "./png.js";

/** Options of the heatmap renderers. */
export interface HeatmapOptions {
  /** The input image (same h·w values) drawn in grey beside the map. */
  image?: readonly number[];
  /** Pixels per cell (default: about 224 pixels across the larger side). */
  cell?: number;
  /** Title lines above the picture ("\n" separates lines). */
  title?: string;
  /** Caption over the heatmap (default "heat"). */
  label?: string;
}

type Rgb = [number, number, number];

/** A filled box; `group` and `value` tag the cells the SVG exposes (data-value). */
export interface LayoutRect {
  /** The box's left edge, px. */
  x: number;
  /** The box's top edge, px. */
  y: number;
  /** Its width, px. */
  width: number;
  /** Its height, px. */
  height: number;
  /** Its fill colour, [r, g, b] in 0…255. */
  rgb: Rgb;
  /** Which picture it belongs to: the input, the heatmap, or the colour scale. */
  group: "input" | "heat" | "scale";
  /** The value the cell shows. */
  value?: number;
}

/** A line of text: (x, y) is its top-left corner, or its top-middle/top-right by `anchor`. */
export interface LayoutText {
  /** The anchor point's distance from the left edge, px. */
  x: number;
  /** The text's top edge, px. */
  y: number;
  /** The text. */
  text: string;
  /** Which point of the text (x, y) is: its top-left, top-middle or top-right. */
  anchor: "start" | "middle" | "end";
}

/** A heatmap picture laid out in pixels. */
export interface HeatmapLayout {
  /** Width of the picture, px. */
  width: number;
  /** Height of the picture, px. */
  height: number;
  /** The filled boxes. */
  rects: LayoutRect[];
  /** The lines of text. */
  texts: LayoutText[];
}

/** The pixel font's scale: glyphs 10×16 pixels, 12 pixels apart. */
const TEXT_SCALE = 2;
const CHAR_W = GLYPH_ADVANCE * TEXT_SCALE;
const LINE_H = LINE_HEIGHT * TEXT_SCALE;
const MARGIN = 10;
const GAP = 16;
const BAR_H = 12;
/** Colour-scale steps (each a box of the same colour). */
const BAR_STEPS = 48;

/** White to red: the heatmap colour of a value in [0, 1]. */
export function heatColor(t: number): Rgb {
  const v = Math.min(1, Math.max(0, t));
  return [255, Math.round(255 * (1 - v)), Math.round(255 * (1 - v) * (1 - v))];
}

const grey = (t: number): Rgb => {
  const v = Math.round(255 * (1 - t));
  return [v, v, v];
};

/** Values scaled to [0, 1] by the largest (after shifting the smallest to 0 when `shift`). */
function normalised(values: readonly number[], shift = false): number[] {
  const min = shift ? Math.min(...values) : 0;
  const max = Math.max(...values.map((v) => v - min), 0);
  return values.map((v) => (max > 0 ? (v - min) / max : 0));
}

/** Three significant digits, without trailing zeros. */
const sig3 = (v: number) => String(Number(v.toPrecision(3)));

/** Where everything of an h×w heatmap picture goes. */
export function heatmapLayout(
  values: readonly number[],
  h: number,
  w: number,
  opts: HeatmapOptions = {},
): HeatmapLayout {
  if (values.length !== h * w) throw new RangeError(`heatmap: ${values.length} values do not fill ${h}x${w}`);
  if (opts.image && opts.image.length !== h * w)
    throw new RangeError(`heatmap: the image has ${opts.image.length} values, not ${h}x${w}`);
  const c = opts.cell ?? Math.max(2, Math.round(224 / Math.max(h, w)));
  const rects: LayoutRect[] = [];
  const texts: LayoutText[] = [];
  let y = MARGIN;
  for (const line of opts.title ? opts.title.split("\n") : []) {
    texts.push({ x: MARGIN, y, text: line, anchor: "start" });
    y += LINE_H;
  }
  if (opts.title) y += 8;
  const panel = (x0: number, caption: string, vals: number[], color: (t: number) => Rgb, group: "input" | "heat") => {
    texts.push({ x: x0, y, text: caption, anchor: "start" });
    vals.forEach((t, i) => {
      const x = x0 + (i % w) * c;
      const top = y + LINE_H + Math.floor(i / w) * c;
      const value = group === "heat" ? values[i] : opts.image![i];
      rects.push({ x, y: top, width: c, height: c, rgb: color(t), group, value });
    });
  };
  let x0 = MARGIN;
  if (opts.image) {
    panel(x0, "input", normalised(opts.image, true), grey, "input");
    x0 += w * c + GAP;
  }
  panel(x0, opts.label ?? "heat", normalised(values), heatColor, "heat");
  y += LINE_H + h * c + 8;
  // the colour scale, white at 0 to red at the largest value: never narrower than its labels need
  const barW = Math.max(w * c, 12 * CHAR_W);
  for (let k = 0; k < BAR_STEPS; k++) {
    const xa = x0 + Math.round((k * barW) / BAR_STEPS);
    const xb = x0 + Math.round(((k + 1) * barW) / BAR_STEPS);
    rects.push({ x: xa, y, width: xb - xa, height: BAR_H, rgb: heatColor((k + 0.5) / BAR_STEPS), group: "scale" });
  }
  y += BAR_H + 4;
  const max = Math.max(...values, 0);
  const ticks: LayoutText[] = [
    { x: x0, y, text: "0", anchor: "start" },
    { x: x0 + barW / 2, y, text: sig3(max / 2), anchor: "middle" },
    { x: x0 + barW, y, text: sig3(max), anchor: "end" },
  ];
  // the middle value only where it keeps a character's width from both ends' values
  const apart = (a: LayoutText, b: LayoutText) => textLeft(a) + textWidth(a.text) + CHAR_W <= textLeft(b);
  texts.push(...(apart(ticks[0]!, ticks[1]!) && apart(ticks[1]!, ticks[2]!) ? ticks : [ticks[0]!, ticks[2]!]));
  y += LINE_H;
  const right = Math.max(x0 + barW, ...texts.map((t) => textLeft(t) + textWidth(t.text)));
  return { width: Math.ceil(right + MARGIN), height: y + MARGIN, rects, texts };
}

/** Width of a line of text in the layout's font. */
export const textWidth = (text: string): number => [...text].length * CHAR_W - TEXT_SCALE;

/** Where a line of text starts, whatever its anchor. */
export const textLeft = (t: LayoutText): number =>
  t.x - { start: 0, middle: 0.5, end: 1 }[t.anchor] * textWidth(t.text);

/** An h×w heatmap as SVG (cells with data-value), optionally beside the grey input image. */
export function heatmapSvg(values: readonly number[], h: number, w: number, opts: HeatmapOptions = {}): string {
  const lay = heatmapLayout(values, h, w, opts);
  const { width, height } = lay;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="cr-saliency" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" shape-rendering="crispEdges">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  for (const group of ["input", "heat", "scale"] as const) {
    const rects = lay.rects.filter((r) => r.group === group);
    if (!rects.length) continue;
    out.push(`<g class="${group}">`);
    for (const r of rects) {
      const value = r.value === undefined ? "" : ` data-value="${fmt(r.value, 6)}"`;
      out.push(
        `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" fill="rgb(${r.rgb.join(",")})"${value}/>`,
      );
    }
    out.push("</g>");
  }
  // a monospace font a little narrower than the pixel font's advance, on the pixel font's baseline
  out.push(`<g font-family="ui-monospace, Menlo, Consolas, monospace" font-size="18" fill="#212529">`);
  for (const t of lay.texts) {
    out.push(`<text x="${t.x}" y="${t.y + 7 * TEXT_SCALE}" text-anchor="${t.anchor}">${xmlEscape(t.text)}</text>`);
  }
  out.push("</g>", "</svg>");
  return out.join("\n") + "\n";
}

/** An h×w heatmap as PNG bytes: the same picture as heatmapSvg, text in the pixel font. */
export function heatmapPng(values: readonly number[], h: number, w: number, opts: HeatmapOptions = {}): Uint8Array {
  const lay = heatmapLayout(values, h, w, opts);
  const rgb = new Uint8Array(lay.width * lay.height * 3).fill(255);
  for (const r of lay.rects) {
    for (let y = r.y; y < r.y + r.height; y++) {
      for (let x = r.x; x < r.x + r.width; x++) rgb.set(r.rgb, (y * lay.width + x) * 3);
    }
  }
  for (const t of lay.texts) drawText(rgb, lay.width, t.text, Math.round(textLeft(t)), t.y, [33, 37, 41], TEXT_SCALE);
  return encodePng(rgb, lay.width, lay.height);
}
