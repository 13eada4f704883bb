// The autograd namespace: cr.autograd.grad, .Function, .functional, .gradcheck, .detectAnomaly,
// and the graph's nodes and observers for tools that look at a pass.

export { backward, grad, type GradOptions, type BackwardOptions } from "./grad.js";
export { Function, FunctionCtx } from "./function.js";
export { gradcheck, gradgradcheck, type GradcheckOptions } from "./gradcheck.js";
export { detectAnomaly } from "../autograd/anomaly.js";
export { Node, AccumulateGrad, type Edge } from "../graph/node.js";
export { observe, type Observer, type ForwardEvent, type BackwardEvent } from "../graph/observe.js";
/** Jacobians, Hessians and their products of whole functions (torch.autograd.functional). */
export * as functional from "./functional.js";
