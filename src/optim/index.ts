// cr.optim: optimizers that update parameters from their .grad in place (under noGrad), and
// cr.optim.lrScheduler, the learning-rate schedules. Update rules match torch.optim.

export {
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  type Params,
  type ParamState,
  type StateValue,
  type OptimizerStateDict,
} from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
/** Learning-rate schedules that set the optimizer's rates between steps (torch.optim.lr_scheduler). */
export * as lrScheduler from "./lr-scheduler.js";
