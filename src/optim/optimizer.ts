// The optimizer base: parameter groups, per-parameter state, zeroGrad, and state dicts in
// PyTorch's layout ({state: {index: {...}}, paramGroups: [{...hyperparameters, params: [index]}]}).
// Subclasses implement `update(group, param, grad, state)`; step() runs it under noGrad.

import { enableGrad, noGrad } from "../graph/grad-mode.js";
import { checkOptions } from "../core/options.js";
import { isFloat } from "../core/dtype.js";
import { creation } from "../api/functions.js";
import { Tensor } from "../api/tensor.js";
import { peekGrad, zeroGrads } from "../autograd/grad-buffers.js";

/** A parameter group: its tensors plus the hyperparameters that apply to them. */
export interface ParamGroup {
  /** The group's parameters. */
  params: Tensor[];
  /** The group's learning rate. */
  lr: number;
  [option: string]: unknown;
}

/** A group as the user passes it: any iterable of tensors, with optional per-group options. */
export type ParamGroupInput<O> = {
  /** The group's parameters. */
  params: Iterable<Tensor>;
} & Partial<O> &
  Record<string, unknown>;

/** What optimizers accept: tensors, or parameter groups. */
export type Params<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** A value of per-parameter state: a tensor (moment buffers) or a number (the step count). */
export type StateValue = Tensor | number;

/** Per-parameter state, keyed by name (`momentumBuffer`, `expAvg`, `step`, ...). */
export type ParamState = Record<string, StateValue>;

/** A serialisable snapshot of an optimizer, as PyTorch's `optimizer.state_dict()`. */
export interface OptimizerStateDict {
  /** Per-parameter state, keyed by the parameter's position over all groups. */
  state: Record<number, ParamState>;
  /** The groups' hyperparameters, with their parameters as positions. */
  paramGroups: (Omit<ParamGroup, "params"> & {
    /** The group's parameters, as positions over all groups. */
    params: number[];
  })[];
}

/** Rejects a hyperparameter outside its valid range, naming the optimizer and the option. */
export function checkOption(opt: string, name: string, value: number, ok: boolean, needed: string): void {
  if (!ok || Number.isNaN(value)) throw new RangeError(`${opt}: invalid ${name} ${value} (must be ${needed})`);
}

/** The options a user gave over the optimizer's defaults, refusing keys the defaults do not have. */
export function withDefaults<O extends object>(opt: string, opts: Partial<O>, defaults: O): O {
  checkOptions(opt, opts, Object.keys(defaults));
  return { ...defaults, ...opts };
}

/** Base class of every optimizer; `O` is its hyperparameter record. */
export abstract class Optimizer<O extends Pick<ParamGroup, "lr">> {
  /** The parameter groups; schedulers change `lr` (and momentum) here between steps. */
  paramGroups: (ParamGroup & O)[] = [];
  /** Per-parameter state, filled lazily on a parameter's first update. */
  state = new Map<Tensor, ParamState>();
  /** Hyperparameters a group gets when it does not set its own. */
  readonly defaults: O;
  /**
   * The update() this optimizer was written with, when it keeps no reference to the gradient it is
   * given (each built-in optimizer names its own): step() then reads gradients with peekGrad, so
   * zeroGrad can still hand their buffers back to the pool. A subclass that overrides update() no
   * longer matches, and its update() gets `.grad`, read as any user's code would.
   */
  protected readonly updateKeepingNoGradient: unknown = null;
  constructor(params: Params<O>, defaults: O) {
    this.defaults = defaults;
    const list = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new RangeError(`${this.constructor.name}: got an empty parameter list`);
    const groups =
      list[0] instanceof Tensor
        ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>]
        : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds a group (for example layers unfrozen later); missing options come from the defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    const who = this.constructor.name;
    if (group instanceof Tensor || typeof group !== "object" || group === null || !("params" in group)) {
      throw new TypeError(`${who}: a parameter group must be an object {params, ...options}`);
    }
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${who}: parameter ${i} of a group is not a Tensor`);
      if (!isFloat(p.dtype)) {
        throw new TypeError(`${who}: can only optimize floating-point tensors, parameter ${i} has dtype ${p.dtype}`);
      }
      if (!p.isLeaf) throw new Error(`${who}: can't optimize a non-leaf tensor (parameter ${i} has ${p.gradFn!.name})`);
      if (seen.has(p)) throw new Error(`${who}: some parameters appear in more than one parameter group`);
      seen.add(p);
    });
    const full = { ...this.defaults, ...group, params } as ParamGroup & O;
    this.paramGroups.push(full);
  }

  /** Clears the gradients of all parameters: to null (PyTorch's set_to_none) or, if asked, to zeros. */
  zeroGrad(setToNone = true): void {
    zeroGrads(
      this.paramGroups.flatMap((g) => g.params),
      setToNone,
    );
  }

  /**
   * One update of every parameter that has a gradient. `closure`, if given, re-evaluates the
   * loss (with grad mode on) before the update, and its value is returned.
   */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    // an update() that may keep its gradient gets it as a user's code would (see updateKeepingNoGradient)
    const gradOf = this.update === this.updateKeepingNoGradient ? peekGrad : (p: Tensor) => p.grad;
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = gradOf(p) as Tensor | null;
          if (!grad) continue;
          let st = this.state.get(p);
          if (!st) this.state.set(p, (st = {}));
          this.update(group, p, grad, st);
        }
      }
    });
    return loss;
  }

  /** Updates one parameter in place (called under noGrad, only when it has a gradient). */
  protected abstract update(group: ParamGroup & O, param: Tensor, grad: Tensor, state: ParamState): void;

  /** A state-dict buffer for `param`, created as zeros (or `init`) on first use. */
  protected buffer(state: ParamState, key: string, param: Tensor, init = 0): Tensor {
    let b = state[key];
    if (!(b instanceof Tensor)) state[key] = b = creation.fullLike(param, init);
    return b;
  }

  /** A snapshot of hyperparameters and state; parameters are named by their position across groups. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...rest } = g;
      return {
        ...structuredClone(rest),
        params: params.map((p) => {
          if (!index.has(p)) index.set(p, index.size);
          return index.get(p)!;
        }),
      } as OptimizerStateDict["paramGroups"][number];
    });
    const state: Record<number, ParamState> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = copyState(st);
    }
    return { state, paramGroups };
  }

  /** Restores a snapshot taken by stateDict() from an optimizer over parameters of the same shapes. */
  loadStateDict(sd: OptimizerStateDict): void {
    const who = this.constructor.name;
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(
        `${who}.loadStateDict: the state dict has ${sd.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`,
      );
    }
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((saved, gi) => {
      const mine = this.paramGroups[gi]!.params;
      if (saved.params.length !== mine.length) {
        throw new RangeError(
          `${who}.loadStateDict: parameter group ${gi} has ${saved.params.length} parameters in the state dict, ${mine.length} here`,
        );
      }
      saved.params.forEach((id, k) => byIndex.set(id, mine[k]!));
    });
    const state = new Map<Tensor, ParamState>();
    for (const [key, st] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (!p) throw new RangeError(`${who}.loadStateDict: state for parameter ${key}, which no group lists`);
      for (const [name, v] of Object.entries(st)) {
        if (v instanceof Tensor && (v.shape.length !== p.shape.length || v.shape.some((s, d) => s !== p.shape[d]))) {
          throw new RangeError(
            `${who}.loadStateDict: state '${name}' of parameter ${key} has shape [${v.shape.join(", ")}], the parameter has [${p.shape.join(", ")}]`,
          );
        }
      }
      state.set(p, copyState(st, p));
    }
    this.state = state;
    this.paramGroups = sd.paramGroups.map((saved, gi) => {
      const { params: _ids, ...rest } = saved;
      return { ...structuredClone(rest), params: this.paramGroups[gi]!.params } as ParamGroup & O;
    });
  }
}

/** A deep copy of one parameter's state; tensors are cloned (and cast to `like`'s dtype if given). */
function copyState(st: ParamState, like?: Tensor): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(st)) {
    out[k] = v instanceof Tensor ? noGrad(() => (like && v.dtype !== like.dtype ? v.to(like.dtype) : v.clone())) : v;
  }
  return out;
}
