// Saliency maps: the gradient of one class score with respect to the input, |∂score/∂x|, which
// the notes call the neurons' "responsibility" read backwards to the pixels (heatmap.ts draws
// them beside the input image as SVG or PNG, for 8x8 digits and 28x28 MNIST alike).

import { grad } from "../autograd/backward.js";
import type { Tensor } from "../api/tensor.js";

/** A saliency map of one example. */
export interface SaliencyMap {
  /** |∂score/∂x| per input element, row-major, the input's shape without the batch dim. */
  values: number[];
  /** The shape of `values`: the input's without the batch dim. */
  shape: number[];
  /** The class whose score was differentiated. */
  target: number;
  /** That class's score. */
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
