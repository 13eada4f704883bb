// Pretty printing, a port of PyTorch's _tensor_str: 4 decimals, scientific notation by the same
// rules, columns aligned, lines wrapped at 80 characters, edges only for tensors over 1000
// elements. Differences kept on purpose: JavaScript spellings (true, requiresGrad=true, gradFn=).

import type { DType } from "../core/dtype.js";
import { fmtShape } from "../core/shape.js";

/** What printing reads of a tensor (TensorBase has it; this file stays below tensor.ts). */
export interface Printable {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly ndim: number;
  readonly gradFn: { readonly name: string } | null;
  readonly requiresGrad: boolean;
  numel(): number;
  dataSync(): ArrayLike<number>;
}

const PRECISION = 4;
const EDGE = 3;
const THRESHOLD = 1000;
const LINEWIDTH = 80;
/** dtypes whose name is not printed: the default float, the default int and bool (as PyTorch). */
const IMPLIED: readonly DType[] = ["float32", "int32", "bool"];

/**
 * `ax` (finite, >= 0) with `digits` decimals (`exp`: in scientific notation), ties to even.
 * NOTE: JavaScript's toFixed/toExponential round exact ties away from zero, Python's format
 * (which PyTorch prints with) to even: 0.03125 is 0.0312 there, so exact ties are corrected.
 */
function roundEven(ax: number, digits: number, exp: boolean): string {
  const s = exp ? ax.toExponential(digits) : ax.toFixed(digits);
  const exact = exp ? ax.toExponential(100) : ax.toFixed(100);
  const [mant, e] = exact.split("e") as [string, string | undefined];
  const cut = mant.indexOf(".") + 1 + digits;
  if (!/^50*$/.test(mant.slice(cut))) return s;
  const truncated = mant.slice(0, digits === 0 ? cut - 1 : cut);
  const lastDigit = Number(truncated[truncated.length - 1]);
  if (lastDigit % 2 !== 0) return s;
  return e === undefined ? truncated : `${truncated}e${e}`;
}

/** Python's `format(v, '.{digits}f')` or `'.{digits}e'`: signed, two-digit exponents, nan/inf. */
function pyFormat(v: number, digits: number, exp: boolean): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  const body = roundEven(Math.abs(v), digits, exp).replace(/e([+-])(\d)$/, "e$10$2");
  return sign + body;
}

/** How every element of one tensor is written: a common mode and width, as PyTorch's _Formatter. */
interface Formatter {
  width: number;
  format(v: number): string;
}

function makeFormatter(values: number[], dtype: DType): Formatter {
  const pad = (width: number) => (s: string) => s.padStart(width);
  if (dtype === "bool" || dtype === "int32") {
    const str = (v: number) => (dtype === "bool" ? String(v !== 0) : String(v));
    const width = values.reduce((m, v) => Math.max(m, str(v).length), 1);
    return { width, format: (v) => pad(width)(str(v)) };
  }
  const nonzero = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  let mode: "int" | "fixed" | "sci" = "int";
  let width = 1;
  if (nonzero.length) {
    const min = Math.min(...nonzero);
    const max = Math.max(...nonzero);
    const intMode = nonzero.every(Number.isInteger);
    const wide = max / min > 1000 || max > 1e8;
    mode = wide || (!intMode && min < 1e-4) ? "sci" : intMode ? "int" : "fixed";
    const signed = values.filter((v) => Number.isFinite(v) && v !== 0);
    for (const v of signed) {
      const len = mode === "int" ? pyFormat(v, 0, false).length + 1 : pyFormat(v, PRECISION, mode === "sci").length;
      width = Math.max(width, len);
    }
  }
  const format = (v: number): string => {
    if (mode === "sci") return pad(width)(pyFormat(v, PRECISION, true));
    if (mode === "fixed") return pad(width)(pyFormat(v, PRECISION, false));
    const s = pyFormat(v, 0, false);
    return pad(width)(Number.isFinite(v) ? `${s}.` : s);
  };
  return { width, format };
}

/** The indices shown along a dim of size n: all, or the edges around an ellipsis (-1). */
function shown(n: number, summarize: boolean): number[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)];
}

function renderData(t: Printable, indent: number): string {
  const data = t.dataSync();
  const shape = t.shape;
  const rowStrides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const summarize = t.numel() > THRESHOLD;
  // the formatter sees only what is printed (PyTorch's get_summarized_data)
  const visible: number[] = [];
  const collect = (dim: number, base: number) => {
    if (dim === shape.length) visible.push(data[base]!);
    else for (const i of shown(shape[dim]!, summarize)) if (i >= 0) collect(dim + 1, base + i * rowStrides[dim]!);
  };
  collect(0, 0);
  const f = makeFormatter(visible, t.dtype);
  if (shape.length === 0) return f.format(data[0]!);
  const render = (dim: number, base: number, ind: number): string => {
    const idx = shown(shape[dim]!, summarize);
    if (dim === shape.length - 1) {
      const cells = idx.map((i) => (i < 0 ? " ..." : f.format(data[base + i]!)));
      const perLine = Math.max(1, Math.floor((LINEWIDTH - ind) / (f.width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < cells.length; i += perLine) lines.push(cells.slice(i, i + perLine).join(", "));
      return `[${lines.join(",\n" + " ".repeat(ind + 1))}]`;
    }
    const parts = idx.map((i) => (i < 0 ? "..." : render(dim + 1, base + i * rowStrides[dim]!, ind + 1)));
    return `[${parts.join("," + "\n".repeat(shape.length - dim - 1) + " ".repeat(ind + 1))}]`;
  };
  return render(0, 0, indent);
}

/** Appends `, suffix` items, moving one to its own line when it would pass the line width. */
function addSuffixes(text: string, suffixes: string[], indent: number): string {
  const parts = [text];
  // NOTE: PyTorch's arithmetic, kept exactly (it counts one or two characters more than the line)
  let lastLineLen = text.length - text.lastIndexOf("\n") + 1;
  for (const s of suffixes) {
    if (lastLineLen + s.length + 2 > LINEWIDTH) {
      parts.push(",\n" + " ".repeat(indent) + s);
      lastLineLen = indent + s.length;
    } else {
      parts.push(", " + s);
      lastLineLen += s.length + 2;
    }
  }
  return parts.join("") + ")";
}

/** Formats a tensor as `tensor([...], dtype=..., requiresGrad=true)`, laid out like PyTorch's repr. */
export function formatTensor(t: Printable): string {
  const prefix = "tensor(";
  const suffixes: string[] = [];
  let body: string;
  if (t.numel() === 0) {
    body = "[]";
    if (t.ndim !== 1) suffixes.push(`size=${fmtShape(t.shape)}`);
    // an empty tensor has no elements to show its type by, so any non-default dtype is named
    if (t.dtype !== "float32") suffixes.push(`dtype=${t.dtype}`);
  } else {
    if (!IMPLIED.includes(t.dtype)) suffixes.push(`dtype=${t.dtype}`);
    body = renderData(t, prefix.length);
  }
  if (t.gradFn) suffixes.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push("requiresGrad=true");
  return addSuffixes(prefix + body, suffixes, prefix.length);
}
