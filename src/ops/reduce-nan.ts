// Sum and mean that skip NaNs (torch.nansum, torch.nanmean): a NaN is replaced by 0 through a
// where, so it adds nothing and its gradient is 0; nanmean divides by the count of the others.

import { isFloat } from "../core/dtype.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { div } from "./arithmetic.js";
import { type DimArg, reduceAttrs, sumOp } from "./broadcast.js";
import { defineComposite } from "./composite.js";
import { isnan, logicalNot } from "./math.js";
import type { Sample } from "./samples.js";
import { where } from "./where.js";

/** Σ over `dims` of x with NaNs read as 0; `op` names the function in errors. */
function sumKept(op: string, x: Tensor, kept: Tensor, dim: DimArg, keepdim: boolean): Tensor {
  const xs = where(kept, x, 0);
  return sumOp([xs], { ...reduceAttrs(op, x, dim, keepdim), shape: x.shape });
}

/** Sum over `dim` (every dim by default) treating NaN as 0; NaNs get no gradient. */
export function nansum(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  if (!isFloat(x.dtype)) return sumOp([x], { ...reduceAttrs("nansum", x, dim, keepdim), shape: x.shape });
  return sumKept("nansum", x, logicalNot(isnan(x)), dim, keepdim);
}

/** Mean over `dim` of the values that are not NaN (NaN where all are); NaNs get no gradient. */
export function nanmean(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  if (!isFloat(x.dtype)) {
    throw new TypeError(`nanmean: expects a floating-point tensor, got ${x.dtype} (convert it with .to("float32"))`);
  }
  const kept = logicalNot(isnan(x));
  const n = sumOp([kept], { ...reduceAttrs("nanmean", x, dim, keepdim), shape: x.shape });
  return div(sumKept("nanmean", x, kept, dim, keepdim), n);
}

interface NanAttrs {
  dim?: number | number[];
  keepdim?: boolean;
}

/** The samples of nansum or nanmean: NaN-free, NaNs here and there, a slice of only NaNs. */
function nanSamples(name: "nansum" | "nanmean"): [Sample<NanAttrs>, ...Sample<NanAttrs>[]] {
  const t = `torch.${name}`;
  const holes = [0.5, NaN, -1.25, 2, NaN, 0.75, NaN, -0.5, 1.5, 3, -2, NaN];
  const allNan = [NaN, NaN, NaN, 1.5, -0.5, 2];
  return [
    { inputs: [{ shape: [2, 3] }], attrs: {}, torch: `${t}(x0)` },
    { inputs: [{ shape: [3, 4], values: holes }], attrs: {}, torch: `${t}(x0)` },
    { inputs: [{ shape: [3, 4], values: holes }], attrs: { dim: 1 }, torch: `${t}(x0, 1)` },
    {
      inputs: [{ shape: [3, 4], values: holes }],
      attrs: { dim: -2, keepdim: true },
      torch: `${t}(x0, -2, keepdim=True)`,
    },
    { inputs: [{ shape: [2, 3, 2], values: holes }], attrs: { dim: [0, -1] }, torch: `${t}(x0, (0, -1))` },
    {
      inputs: [{ shape: [2, 3, 2], values: holes }],
      attrs: { dim: [1, 2], keepdim: true },
      torch: `${t}(x0, (1, 2), keepdim=True)`,
    },
    {
      // NOTE: nanmean's output is NaN there, so finite differences are NaN too; its gradient (0,
      // where PyTorch's is NaN) is tested on its own
      inputs: [{ shape: [2, 3], values: allNan, grad: name === "nansum" }],
      attrs: { dim: 1 },
      torch: `${t}(x0, 1)`,
      note: "a slice of only NaNs: nansum 0, nanmean NaN",
    },
    { inputs: [{ shape: [4, 1], values: [NaN, 1, 2, 3] }], attrs: { dim: 0 }, torch: `${t}(x0, 0)` },
    { inputs: [{ shape: [2, 1] }], attrs: { dim: -1 }, torch: `${t}(x0, -1)` },
  ];
}

/** nansum's samples (and an int32 one: no NaNs to skip). */
export const nansumComposite = defineComposite<NanAttrs>({
  name: "nansum",
  call: ([x], { dim, keepdim }) => nansum(x!, dim, keepdim),
  samples: [
    ...nanSamples("nansum"),
    {
      inputs: [{ shape: [2, 3], dtype: "int32", values: [1, -4, 2, 0, 5, 3] }],
      attrs: { dim: 0 },
      torch: "torch.nansum(x0, 0)",
    },
  ],
});
/** nanmean's samples. */
export const nanmeanComposite = defineComposite<NanAttrs>({
  name: "nanmean",
  call: ([x], { dim, keepdim }) => nanmean(x!, dim, keepdim),
  samples: nanSamples("nanmean"),
});
