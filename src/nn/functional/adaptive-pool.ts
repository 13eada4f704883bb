// Adaptive pooling over the last 1, 2 or 3 dims: output bin i of a dim of size S spans
// ⌊i·S/O⌋ … ⌈(i+1)·S/O⌉, as in PyTorch. Average pooling is ops/pool.ts's; max pooling gathers each
// bin's taps, finds the first maximum, and gathers the values there, so the gradient goes to it.

import { creation, nnFunctions } from "../../api/functions.js";
import type { Tensor } from "../../api/tensor.js";
import { checkOptions } from "../../core/options.js";
import { fmtShape, numelOf } from "../../core/shape.js";
import { defineComposite } from "../../ops/composite.js";
import { type ValuesIndices, valuesIndices } from "../../tensor/values-indices.js";
import { asTensors, expectSpatial, partOf, torchCall } from "./spatial-args.js";

/** An adaptive output size: one number, or one per dim where null keeps the input's size. */
export type AdaptiveSize = number | readonly (number | null)[];

/** The output size per pooled dim, checked. */
function outputSizeOf(op: string, x: Tensor, k: number, outputSize: AdaptiveSize): number[] {
  expectSpatial(op, x, k);
  const given = typeof outputSize === "number" ? new Array<number>(k).fill(outputSize) : [...outputSize];
  const size = x.shape.slice(-k);
  const out = given.map((o, i) => o ?? size[i]!);
  if (out.length !== k || out.some((o) => !Number.isInteger(o) || o < 1)) {
    throw new RangeError(`${op}: outputSize must be ${k} positive integers, got ${JSON.stringify(outputSize)}`);
  }
  if (size.some((s) => s < 1)) throw new RangeError(`${op}: input ${fmtShape(x.shape)} has an empty pooled dim`);
  return out;
}

function adaptiveAvgK(op: string, k: number, x: Tensor, outputSize: AdaptiveSize): Tensor {
  return nnFunctions.adaptiveAvgPoolNd(x, outputSizeOf(op, x, k, outputSize));
}

/** Averages the last dim into `outputSize` nearly equal bins. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgK("adaptiveAvgPool1d", 1, x, outputSize);
}

/** Averages the last two dims into an `outputSize` grid of nearly equal bins. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgK("adaptiveAvgPool2d", 2, x, outputSize);
}

/** Averages the last three dims into an `outputSize` grid of nearly equal bins. */
export function adaptiveAvgPool3d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgK("adaptiveAvgPool3d", 3, x, outputSize);
}

/**
 * The taps of every bin along a dim of size S cut into O bins: [O, K] positions, K the widest bin;
 * a narrower bin repeats its first position, which never changes its maximum or which tap is first.
 */
function binTaps(size: number, out: number): { taps: number[]; width: number } {
  const bins = Array.from({ length: out }, (_, i) => [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)]);
  const width = Math.max(...bins.map(([a, b]) => b! - a!));
  return {
    taps: bins.flatMap(([a, b]) => Array.from({ length: width }, (_, t) => (t < b! - a! ? a! + t : a!))),
    width,
  };
}

/**
 * Adaptive max pooling of the last `out.length` dims: each bin's taps gathered as [..., ΠO, ΠK]
 * (bin-major, taps in row-major order), the first maximum picked, and its plane position looked up.
 */
function adaptiveMaxPoolNd(x: Tensor, out: readonly number[]): ValuesIndices<Tensor> {
  const k = out.length;
  const size = x.shape.slice(-k);
  const lead = x.shape.slice(0, -k);
  const bins = size.map((s, i) => binTaps(s, out[i]!));
  const widths = bins.map((b) => b.width);
  // plane[o, t]: the flat position in the pooled plane of bin o's tap t
  const [nOut, nTaps] = [numelOf(out), numelOf(widths)];
  const plane = new Int32Array(nOut * nTaps);
  for (let o = 0; o < nOut; o++) {
    for (let t = 0; t < nTaps; t++) {
      let [ro, rt, pos, step] = [o, t, 0, 1];
      for (let i = k - 1; i >= 0; i--) {
        const [oi, ti] = [ro % out[i]!, rt % widths[i]!];
        [ro, rt] = [Math.floor(ro / out[i]!), Math.floor(rt / widths[i]!)];
        pos += bins[i]!.taps[oi * widths[i]! + ti]! * step;
        step *= size[i]!;
      }
      plane[o * nTaps + t] = pos;
    }
  }
  const positions = creation.tensor(plane, { shape: [nOut, nTaps] });
  const flat = x.reshape([...lead, numelOf(size)]);
  // which tap wins needs no gradient; the values are gathered from x at the winners
  const windows = flat
    .detach()
    .indexSelect(-1, positions.flatten())
    .reshape([...lead, nOut, nTaps]);
  const first = windows.argmax(-1, true);
  const indices = positions
    .expand([...lead, nOut, nTaps])
    .gather(-1, first)
    .reshape([...lead, nOut]);
  const values = flat.gather(-1, indices);
  return valuesIndices(values.reshape([...lead, ...out]), indices.reshape([...lead, ...out]));
}

/** Options of adaptive max pooling. */
export interface AdaptiveMaxPoolOptions {
  /** Also return where each maximum is: its flat int32 position in the input's pooled plane. */
  returnIndices?: boolean;
}

/** Adaptive max pooling's signature: (values, indices) with returnIndices, the values otherwise. */
export interface AdaptiveMaxPoolFunction {
  (x: Tensor, outputSize: AdaptiveSize, opts: { returnIndices: true }): ValuesIndices<Tensor>;
  (x: Tensor, outputSize: AdaptiveSize, opts?: { returnIndices?: false }): Tensor;
  (x: Tensor, outputSize: AdaptiveSize, opts?: AdaptiveMaxPoolOptions): Tensor | ValuesIndices<Tensor>;
}

const adaptiveMaxFunction = (op: string, k: number) =>
  ((x: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions = {}) => {
    checkOptions(op, opts, ["returnIndices"]);
    const pair = adaptiveMaxPoolNd(x, outputSizeOf(op, x, k, outputSize));
    return opts.returnIndices ? pair : pair.values;
  }) as AdaptiveMaxPoolFunction;

/** The maximum of each of `outputSize` nearly equal bins of the last dim. */
export const adaptiveMaxPool1d = adaptiveMaxFunction("adaptiveMaxPool1d", 1);
/** The maximum of each bin of an `outputSize` grid over the last two dims: `adaptiveMaxPool2d(x, [2, null])`. */
export const adaptiveMaxPool2d = adaptiveMaxFunction("adaptiveMaxPool2d", 2);
/** The maximum of each bin of an `outputSize` grid over the last three dims. */
export const adaptiveMaxPool3d = adaptiveMaxFunction("adaptiveMaxPool3d", 3);

/** An adaptive pooling sample: the output size, and which part of a (values, indices) pair is compared. */
interface AdaptiveAttrs {
  outputSize: AdaptiveSize;
  part: 0 | 1;
}

type AdaptiveFn = (
  x: Tensor,
  outputSize: AdaptiveSize,
  opts?: AdaptiveMaxPoolOptions,
) => Tensor | ValuesIndices<Tensor>;

/**
 * An adaptive pooling's table entry, its samples as [input shape, output size, part]; part 1
 * compares the indices (int32 here, int64 in PyTorch: compared by value, no gradient).
 */
function adaptiveEntry(name: string, torchName: string, fn: AdaptiveFn, samples: [number[], AdaptiveSize, (0 | 1)?][]) {
  const max = torchName.includes("max");
  const [first, ...rest] = samples.map(([shape, outputSize, part = 0]) => ({
    inputs: [{ shape, grad: part === 0 }],
    attrs: { outputSize, part },
    torch: torchCall(torchName, ["x0", outputSize], max ? { returnIndices: true } : {}) + (max ? `[${part}]` : ""),
  }));
  return defineComposite<AdaptiveAttrs>({
    name,
    call: (xs, a) => partOf(fn(asTensors(xs)[0]!, a.outputSize, max ? { returnIndices: true } : undefined), a.part),
    options: max ? { keys: ["returnIndices"], call: (xs, o) => fn(asTensors(xs)[0]!, 2, o) } : undefined,
    samples: [first!, ...rest],
  });
}

/** The adaptive poolings' table entries. */
export const adaptivePoolComposites = [
  adaptiveEntry("adaptiveAvgPool1d", "adaptive_avg_pool1d", adaptiveAvgPool1d, [
    [[2, 3, 7], 3],
    [[2, 6], [4]],
  ]),
  adaptiveEntry("adaptiveAvgPool2d", "adaptive_avg_pool2d", adaptiveAvgPool2d, [
    [
      [1, 2, 5, 7],
      [3, 4],
    ],
    [
      [2, 4, 6],
      [2, null],
    ],
  ]),
  adaptiveEntry("adaptiveAvgPool3d", "adaptive_avg_pool3d", adaptiveAvgPool3d, [
    [
      [1, 2, 3, 4, 5],
      [2, 3, 2],
    ],
    [
      [2, 2, 4, 6],
      [1, 2, 3],
    ],
  ]),
  adaptiveEntry("adaptiveMaxPool1d", "adaptive_max_pool1d", adaptiveMaxPool1d, [
    [[2, 3, 7], 3],
    [[2, 3, 7], 4, 1],
    [[1, 2, 5], 5],
  ]),
  adaptiveEntry("adaptiveMaxPool2d", "adaptive_max_pool2d", adaptiveMaxPool2d, [
    [
      [1, 2, 5, 5],
      [3, 2],
    ],
    [[1, 2, 5, 5], [3, 2], 1],
    [
      [2, 4, 6],
      [null, 4],
    ],
  ]),
  adaptiveEntry("adaptiveMaxPool3d", "adaptive_max_pool3d", adaptiveMaxPool3d, [
    [
      [1, 1, 3, 4, 5],
      [2, 3, 2],
    ],
    [[1, 3, 4, 5], [2, 2, 3], 1],
  ]),
];
