// State dicts: tensors by dotted path, as PyTorch's state_dict, and loading one into a module's
// own tensors (Module.loadStateDict), all keys checked before anything is copied.

import { fmtShape, sameShape } from "../core/shape.js";
import { noGrad } from "../graph/grad-mode.js";
import type { Tensor } from "../api/tensor.js";

/** Tensors by dotted path, as PyTorch's state_dict. */
export type StateDict = Record<string, Tensor>;

/** Options of loadStateDict. */
export interface LoadOptions {
  /** Fail on missing or unexpected keys (default true); mis-shaped tensors always fail. */
  strict?: boolean;
}

/** What loadStateDict found but did not fail on (strict: false). */
export interface LoadResult {
  /** Keys the module has that the state dict lacks. */
  missingKeys: string[];
  /** Keys of the state dict the module does not have. */
  unexpectedKeys: string[];
}

/**
 * Copies `stateDict` into `own` (a module's tensors by path, in place, cast to their dtypes), or
 * copies nothing and throws, naming the module by `label` and listing what does not fit.
 */
export function loadState(
  own: StateDict,
  stateDict: StateDict | Map<string, Tensor>,
  opts: LoadOptions,
  label: string,
): LoadResult {
  const strict = opts.strict ?? true;
  const given = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
  const missingKeys = Object.keys(own).filter((k) => !given.has(k));
  const unexpectedKeys = [...given.keys()].filter((k) => !(k in own));
  const misShaped = Object.entries(own).flatMap(([k, t]) => {
    const src = given.get(k);
    if (!src || sameShape(src.shape, t.shape)) return [];
    return [
      `size mismatch for ${k}: copying a tensor of shape ${fmtShape(src.shape)} from the state dict, ` +
        `the shape in the current model is ${fmtShape(t.shape)}`,
    ];
  });
  const problems = [
    ...(strict && missingKeys.length ? [`Missing key(s): ${missingKeys.map((k) => `"${k}"`).join(", ")}.`] : []),
    ...(strict && unexpectedKeys.length
      ? [`Unexpected key(s): ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}.`]
      : []),
    ...misShaped,
  ];
  if (problems.length) {
    throw new Error(`loadStateDict: error(s) in loading the state dict for ${label}:\n\t${problems.join("\n\t")}`);
  }
  noGrad(() => {
    for (const [k, t] of Object.entries(own)) {
      const src = given.get(k);
      if (src) t.copy_(src);
    }
  });
  return { missingKeys, unexpectedKeys };
}
