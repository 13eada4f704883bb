// Saliency maps: the gradient of one class score with respect to the input, |∂score/∂x|, which
// the notes call the neurons' "responsibility" read backwards to the pixels. Rendered as SVG or
// PNG heatmaps beside the input image, for 8x8 digits and 28x28 MNIST alike.

import { grad } from "../autograd/backward.js";
import type { Tensor } from "../api/tensor.js";
import { fmt } from "./format.js";
import { xmlEscape } from "./graph-svg.js";
import { encodePng } from "./png.js";

/** A saliency map of one example. */
export interface SaliencyMap {
  /** |∂score/∂x| per input element, row-major, the input's shape without the batch dim. */
  values: number[];
  shape: number[];
  /** The class whose score was differentiated, and that score. */
  target: number;
  score: number;
  /** The predicted class (argmax of the scores). */
  predicted: number;
}

/**
 * |∂ score_target / ∂ input| for one example (`input` of shape [1, ...]); `model` maps the input to
 * class scores [1, classes]; the target defaults to the predicted class. Parameters' .grad is untouched.
 */
export function saliency(model: (x: Tensor) => Tensor, input: Tensor, target?: number): SaliencyMap {
  if (input.shape[0] !== 1) {
    throw new RangeError(`saliency: expects one example with a batch dim of 1, got shape [${input.shape.join(", ")}]`);
  }
  const x = input.detach().requiresGrad_();
  const scores = model(x);
  const s = Array.from(scores.dataSync());
  const predicted = s.indexOf(Math.max(...s));
  const cls = target ?? predicted;
  if (cls < 0 || cls >= s.length) throw new RangeError(`saliency: class ${cls} is out of range for ${s.length} scores`);
  const score = scores.reshape([-1]).select(0, cls);
  const [g] = grad(score, x);
  return {
    values: Array.from(g!.dataSync(), Math.abs),
    shape: input.shape.slice(1),
    target: cls,
    score: s[cls]!,
    predicted,
  };
}

/** White to red: the heatmap colour of a value in [0, 1]. */
export function heatColor(t: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, t));
  return [255, Math.round(255 * (1 - v)), Math.round(255 * (1 - v) * (1 - v))];
}

function normalised(values: readonly number[]): number[] {
  const max = Math.max(...values, 0);
  return values.map((v) => (max > 0 ? v / max : 0));
}

/** Options of the heatmap renderers. */
export interface HeatmapOptions {
  /** The input image (same h·w values) drawn in grey beside the map. */
  image?: readonly number[];
  /** Pixels per cell (SVG default 12, PNG default 8). */
  cell?: number;
  title?: string;
}

/** An h×w heatmap as SVG (cells with data-value), optionally beside the grey input image. */
export function heatmapSvg(values: readonly number[], h: number, w: number, opts: HeatmapOptions = {}): string {
  if (values.length !== h * w) throw new RangeError(`heatmapSvg: ${values.length} values do not fill ${h}x${w}`);
  const c = opts.cell ?? 12;
  const gap = 16;
  const top = opts.title ? 24 : 4;
  const panels = opts.image ? 2 : 1;
  const width = panels * w * c + (panels - 1) * gap + 8;
  const height = top + h * c + 4;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="cr-saliency" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" shape-rendering="crispEdges">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (opts.title)
    out.push(`<text x="4" y="16" font-family="sans-serif" font-size="13">${xmlEscape(opts.title)}</text>`);
  const panel = (
    vals: number[],
    x0: number,
    cls: string,
    color: (t: number) => [number, number, number],
    raw: readonly number[],
  ) => {
    out.push(`<g class="${cls}">`);
    vals.forEach((t, i) => {
      const [r, g, b] = color(t);
      const x = x0 + (i % w) * c;
      const y = top + Math.floor(i / w) * c;
      out.push(
        `<rect x="${x}" y="${y}" width="${c}" height="${c}" fill="rgb(${r},${g},${b})" data-value="${fmt(raw[i]!, 6)}"/>`,
      );
    });
    out.push("</g>");
  };
  let x0 = 4;
  if (opts.image) {
    const grey = (t: number): [number, number, number] => {
      const v = Math.round(255 * (1 - t));
      return [v, v, v];
    };
    panel(normalised(opts.image.map((v) => v - Math.min(...opts.image!))), x0, "input", grey, opts.image);
    x0 += w * c + gap;
  }
  panel(normalised(values), x0, "heat", heatColor, values);
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** An h×w heatmap as PNG bytes, each cell scaled up to `cell` pixels, the grey input beside it. */
export function heatmapPng(values: readonly number[], h: number, w: number, opts: HeatmapOptions = {}): Uint8Array {
  if (values.length !== h * w) throw new RangeError(`heatmapPng: ${values.length} values do not fill ${h}x${w}`);
  const c = opts.cell ?? 8;
  const gap = opts.image ? c : 0;
  const width = (opts.image ? 2 * w : w) * c + gap;
  const height = h * c;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const put = (vals: number[], x0: number, color: (t: number) => [number, number, number]) => {
    vals.forEach((t, i) => {
      const [r, g, b] = color(t);
      const cx = x0 + (i % w) * c;
      const cy = Math.floor(i / w) * c;
      for (let dy = 0; dy < c; dy++) {
        for (let dx = 0; dx < c; dx++) rgb.set([r, g, b], ((cy + dy) * width + cx + dx) * 3);
      }
    });
  };
  let x0 = 0;
  if (opts.image) {
    const min = Math.min(...opts.image);
    put(normalised(opts.image.map((v) => v - min)), 0, (t) => {
      const v = Math.round(255 * (1 - t));
      return [v, v, v];
    });
    x0 = w * c + gap;
  }
  put(normalised([...values]), x0, heatColor);
  return encodePng(rgb, width, height);
}
