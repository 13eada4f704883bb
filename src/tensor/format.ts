// Pretty printing in PyTorch's style: aligned columns, 4 decimals, edges of large tensors.

import type { Tensor } from "./tensor.js";

const EDGE = 3;
const THRESHOLD = 1000;

function fmtNumber(v: number, dtype: string, sci: boolean, intLike: boolean): string {
  if (dtype === "bool") return v ? "true" : "false";
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (dtype === "int32") return String(v);
  if (sci) return v.toExponential(4);
  if (intLike) return `${v.toFixed(0)}.`;
  return v.toFixed(4);
}

/** Formats a tensor as `tensor([...], dtype=..., requiresGrad=true)`. */
export function formatTensor(t: Tensor): string {
  const data = t.numel() > 0 ? Array.from(t.dataSync()) : [];
  const finite = data.filter((v) => Number.isFinite(v));
  const absMax = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const absMin = finite.filter((v) => v !== 0).reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
  const intLike = finite.every((v) => Number.isInteger(v));
  const sci = !intLike && (absMax >= 1e8 || (absMin < 1e-4 && absMin !== Infinity));
  const summarise = data.length > THRESHOLD;
  const cells = data.map((v) => fmtNumber(v, t.dtype, sci, intLike));
  const width = cells.reduce((m, c) => Math.max(m, c.length), 0);
  const pad = (c: string) => c.padStart(width);
  const strides: number[] = [];
  for (let d = 0, s = data.length; d < t.ndim; d++) strides.push((s = s / t.shape[d]!));
  const indent = "tensor(".length;
  const render = (dim: number, base: number): string => {
    if (dim === t.ndim) return pad(cells[base]!);
    const n = t.shape[dim]!;
    const idx =
      summarise && n > 2 * EDGE
        ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)]
        : [...Array(n).keys()];
    const parts = idx.map((i) => (i < 0 ? "..." : render(dim + 1, base + i * strides[dim]!)));
    const sep = dim === t.ndim - 1 ? ", " : "," + "\n".repeat(t.ndim - dim - 1) + " ".repeat(indent + dim + 1);
    return `[${parts.join(sep)}]`;
  };
  let body = t.ndim === 0 ? fmtNumber(data[0]!, t.dtype, sci, intLike) : render(0, 0);
  if (t.numel() === 0) body = `[]`;
  const extras: string[] = [];
  if (t.numel() === 0 && t.ndim > 1) extras.push(`size=[${t.shape.join(", ")}]`);
  if (t.dtype !== "float32" && !(t.dtype === "int32" && t.numel() > 0) && t.dtype !== "bool")
    extras.push(`dtype=${t.dtype}`);
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push("requiresGrad=true");
  return `tensor(${[body, ...extras].join(", ")})`;
}
