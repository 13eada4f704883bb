// cr.nn.init: fill a tensor in place (under noGrad, so parameters can be filled) and return it,
// with torch.nn.init's formulas for gains and fans. Random fills draw from the default generator
// unless one is given.

import { checkOptions } from "../core/options.js";
import { creation, nnFunctions } from "../api/functions.js";
import type { Tensor } from "../api/tensor.js";
import { fmtShape, numelOf } from "../core/shape.js";
import { noGrad } from "../graph/grad-mode.js";
import { defaultGenerator, type Generator } from "../tensor/random.js";

/** Nonlinearities calculateGain knows (PyTorch's names; camelCase leakyRelu is accepted too). */
export type Nonlinearity =
  | "linear"
  | "identity"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "leakyRelu"
  | "selu";

/** The recommended gain for a nonlinearity (param: leaky_relu's negative slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu":
    case "leakyRelu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    case "linear":
    case "identity":
    case "sigmoid":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "conv_transpose1d":
    case "conv_transpose2d":
    case "conv_transpose3d":
      return 1;
    default:
      throw new RangeError(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/** fan_in = size(1)·receptive field and fan_out = size(0)·receptive field (tensors of 2+ dims). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) {
    throw new RangeError(
      `init: fan in and fan out cannot be computed for a tensor with fewer than 2 dims (shape ${fmtShape(t.shape)})`,
    );
  }
  const receptive = numelOf(t.shape.slice(2));
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

/** Fills with U(a, b). */
export function uniform(t: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  return noGrad(() => nnFunctions.uniform_(t, a, b, generator));
}

/** Fills with N(mean, std²). */
export function normal(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return noGrad(() => nnFunctions.normal_(t, mean, std, generator));
}

/** Fills with N(mean, std²) redrawn until inside [a, b]. */
export function truncNormal(
  t: Tensor,
  mean = 0,
  std = 1,
  a = -2,
  b = 2,
  generator: Generator = defaultGenerator,
): Tensor {
  if (!(a < b)) throw new RangeError(`truncNormal: a (${a}) must be below b (${b})`);
  const data = new Float64Array(t.numel());
  for (let i = 0; i < data.length; i++) {
    let v = mean + std * generator.normal();
    // NOTE: rejection sampling; a window with almost no mass would loop for ever, so give up loudly
    for (let tries = 1; v < a || v > b; tries++) {
      if (tries === 100_000) {
        throw new RangeError(`truncNormal: [${a}, ${b}] has almost no mass under N(${mean}, ${std}²)`);
      }
      v = mean + std * generator.normal();
    }
    data[i] = v;
  }
  return copyInto(t, data);
}

/** Fills with `value`. */
export function constant(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}

/** Fills with 1. */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/** Fills with 0. */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** Fills a 2-d tensor with the identity. */
export function eye(t: Tensor): Tensor {
  if (t.ndim !== 2) throw new RangeError(`eye: needs a 2-d tensor, got shape ${fmtShape(t.shape)}`);
  const [r, c] = t.shape as [number, number];
  const data = new Float64Array(r * c);
  for (let i = 0; i < Math.min(r, c); i++) data[i * c + i] = 1;
  return copyInto(t, data);
}

/** Glorot: U(−a, a) with a = gain·√(6 / (fan_in + fan_out)). */
export function xavierUniform(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -a, a, generator);
}

/** Glorot: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). */
export function xavierNormal(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

/** Options of the Kaiming (He) initialisers. */
export interface KaimingOptions {
  /** leaky_relu's negative slope (0 for relu). */
  a?: number;
  /** Preserve the variance of the forward pass ('fanIn') or of the backward pass ('fanOut'). */
  mode?: "fanIn" | "fanOut" | "fan_in" | "fan_out";
  /** The activation that follows, which sets the gain (default leaky_relu). */
  nonlinearity?: Nonlinearity;
  /** The random generator to draw from (default: the global one). */
  generator?: Generator;
}

function kaimingStd(t: Tensor, opts: KaimingOptions, where: string): number {
  checkOptions(where, opts, ["a", "mode", "nonlinearity", "generator"]);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const mode = opts.mode ?? "fanIn";
  const fan = mode === "fanIn" || mode === "fan_in" ? fanIn : fanOut;
  return calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0) / Math.sqrt(fan);
}

/** He: U(−b, b) with b = gain·√(3 / fan). */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts, "kaimingUniform");
  return uniform(t, -bound, bound, opts.generator);
}

/** He: N(0, (gain / √fan)²). */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, opts, "kaimingNormal"), opts.generator);
}

/**
 * A (semi-)orthogonal matrix times `gain`, from the QR decomposition of a Gaussian matrix with
 * R's diagonal made positive (Saxe et al.); dims past the first are flattened.
 */
export function orthogonal(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  if (t.ndim < 2) throw new RangeError(`orthogonal: needs at least 2 dims, got shape ${fmtShape(t.shape)}`);
  const rows = t.shape[0]!;
  const cols = t.numel() / rows;
  // work on the tall orientation m >= n; column j of A is a[j*m .. j*m + m)
  const [m, n] = rows < cols ? [cols, rows] : [rows, cols];
  const a = Float64Array.from({ length: m * n }, () => generator.normal());
  // modified Gram–Schmidt: Q's columns orthonormal, R's diagonal positive
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < j; i++) {
      let dot = 0;
      for (let r = 0; r < m; r++) dot += a[i * m + r]! * a[j * m + r]!;
      for (let r = 0; r < m; r++) a[j * m + r]! -= dot * a[i * m + r]!;
    }
    let norm = 0;
    for (let r = 0; r < m; r++) norm += a[j * m + r]! ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < m; r++) a[j * m + r]! /= norm;
  }
  // tall: out[r][c] = Q[r][c] = a[c*m + r]; wide: out = Qᵀ, out[r][c] = a[r*m + c]
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows < cols ? a[r * m + c]! : a[c * m + r]!);
  }
  return copyInto(t, out);
}

function copyInto(t: Tensor, data: Float64Array): Tensor {
  return noGrad(() => t.copy_(creation.tensor(data, { shape: t.shape, dtype: t.dtype })));
}
