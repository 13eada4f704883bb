// Module: the base of every layer. Parameters and submodules are the module's own properties that
// hold a Parameter or a Module (in declaration order, PyTorch's registration order); buffers are
// properties named with registerBuffer. State-dict keys are property paths: "0.weight", "bn.running_mean".

import { labelled } from "./layer-errors.js";
import { isGradEnabled, noGrad } from "../graph/grad-mode.js";
import { zeroGrads } from "../autograd/grad-buffers.js";
import { type DType, isFloat } from "../core/dtype.js";
import { fmtShape } from "../core/shape.js";
import { Tensor } from "../api/tensor.js";
import type { RemovableHandle } from "../tensor/tensor.js";
import { BackwardHookCall, type GradList } from "./hooks.js";
import { Parameter, setData } from "./parameter.js";
import { type LoadOptions, type LoadResult, loadState, type StateDict } from "./state-dict.js";

/** Runs before forward; may return replacement inputs. */
export type ForwardPreHook<M extends Module = Module> = (module: M, inputs: unknown[]) => unknown[] | void;
/** Runs after forward; may return a replacement output. */
export type ForwardHook<M extends Module = Module> = (module: M, inputs: unknown[], output: unknown) => unknown;
/** Runs when the gradients of the module's inputs are known; may return replacement input gradients. */
export type BackwardHook<M extends Module = Module> = (
  module: M,
  gradInput: GradList,
  gradOutput: GradList,
) => GradList | void;

export type { LoadOptions, LoadResult, StateDict } from "./state-dict.js";

let callDepth = 0;
let hookIds = 0;

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

/**
 * Base class of layers and models (torch.nn.Module): fields hold parameters and submodules, `call` runs forward.
 *
 * @example
 * class Net extends cr.nn.Module {
 *   fc = new cr.nn.Linear(4, 3);
 *   forward(x: cr.Tensor) { return this.fc.call(x).relu(); }
 * }
 * const y = new Net().call(cr.randn(8, 4)); // [8, 3]
 */
export abstract class Module {
  /** Train mode (dropout active, batch norm uses batch statistics) or eval mode. */
  training = true;
  /** @internal buffer names, persistent or not, in registration order. */
  _bufferNames = new Map<string, boolean>();
  /** @internal */
  _forwardPreHooks = new Map<number, ForwardPreHook>();
  /** @internal */
  _forwardHooks = new Map<number, ForwardHook>();
  /** @internal */
  _backwardHooks = new Map<number, BackwardHook>();

  /** The computation; call the module with `call` so hooks run. */
  abstract forward(...args: never[]): unknown;

  /** Runs forward with the module's hooks (PyTorch's `module(x)`). */
  call<M extends Module>(this: M, ...args: Parameters<M["forward"]>): ReturnType<M["forward"]> {
    return this._call(...args) as ReturnType<M["forward"]>;
  }

  /** @internal the untyped call that containers use. */
  _call(...args: unknown[]): unknown {
    return this._run(this.forward, args);
  }

  /** @internal relu(forward(x)) as one op, where a layer has a fused form (batch norm; see Sequential). */
  _forwardRelu?(x: Tensor): Tensor;

  /** @internal `forward` (or a fused form of it) run with the hooks, labelling parameters and errors. */
  _run(forward: (...a: never[]) => unknown, args: unknown[]): unknown {
    // the outermost call labels parameters with their paths, for explain/ and graph export
    if (callDepth === 0) {
      const mods = this._modulePaths();
      for (const [name, t] of this._namedTensors("parameters", mods)) t.name = name;
      for (const [name, t] of this._namedTensors("buffers", mods)) t.name = name;
    }
    callDepth++;
    try {
      let inputs = args;
      for (const hook of this._forwardPreHooks.values()) {
        const r = hook(this, inputs);
        if (r !== undefined) inputs = Array.isArray(r) ? r : [r];
      }
      const hooked = this._backwardHooks.size && isGradEnabled() ? new BackwardHookCall(this.fireBackward) : null;
      if (hooked) inputs = hooked.wrapInputs(inputs);
      let out = (forward as (...a: unknown[]) => unknown).apply(this, inputs);
      for (const hook of this._forwardHooks.values()) {
        const r = hook(this, inputs, out);
        if (r !== undefined) out = r;
      }
      return hooked ? hooked.wrapOutputs(out) : out;
    } catch (e) {
      throw labelled(e, this);
    } finally {
      callDepth--;
    }
  }

  private readonly fireBackward = (gradInput: GradList, gradOutput: GradList): GradList => {
    let g = gradInput;
    for (const hook of this._backwardHooks.values()) g = hook(this, g, gradOutput) ?? g;
    return g;
  };

  /**
   * @internal (name, module or tensor) pairs this module holds, in property order; containers
   * add their items. Object.entries would allocate a pair per field (hooks, sizes, flags).
   */
  _ownEntries(): [string, Module | Tensor][] {
    const out: [string, Module | Tensor][] = [];
    const fields = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      const v = fields[key];
      if (v instanceof Module || v instanceof Tensor) out.push([key, v]);
    }
    return out;
  }

  /** Sets `name` to a parameter (null registers "no parameter", as bias=false). */
  registerParameter(name: string, param: Parameter | null): Parameter | null {
    (this as unknown as Record<string, unknown>)[name] = param;
    return param;
  }

  /** Adds a tensor that is state but not learnable (running statistics); non-persistent ones stay out of stateDict. */
  registerBuffer<T extends Tensor | null>(name: string, tensor: T, persistent = true): T {
    this._bufferNames.set(name, persistent);
    (this as unknown as Record<string, unknown>)[name] = tensor;
    return tensor;
  }

  /** Sets `name` to a submodule. */
  registerModule<M extends Module | null>(name: string, module: M): M {
    (this as unknown as Record<string, unknown>)[name] = module;
    return module;
  }

  /** Direct submodules with their names (each once). */
  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [name, v] of this._ownEntries()) {
      if (v instanceof Module && !seen.has(v)) {
        seen.add(v);
        yield [name, v];
      }
    }
  }

  /** Direct submodules. */
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and all below it, with dotted paths ("" for this one), each once, parents first. */
  *namedModules(prefix = "", memo = new Set<Module>()): Generator<[string, Module]> {
    yield* this._modulePaths(prefix, memo);
  }

  /** @internal namedModules as a list: plain loops (a training step labels its tensors through it). */
  _modulePaths(prefix = "", memo = new Set<Module>(), out: [string, Module][] = []): [string, Module][] {
    if (memo.has(this)) return out;
    memo.add(this);
    out.push([prefix, this]);
    for (const [name, v] of this._ownEntries()) if (v instanceof Module) v._modulePaths(join(prefix, name), memo, out);
    return out;
  }

  /** This module and all below it. */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** @internal parameters or buffers of the modules `mods` (path, module) with dotted paths, each once (first path wins). */
  _namedTensors(kind: "parameters" | "buffers", mods: [string, Module][] = this._modulePaths()): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [path, m] of mods) {
      if (kind === "parameters") {
        for (const [name, v] of m._ownEntries())
          if (v instanceof Parameter && !seen.has(v)) {
            seen.add(v);
            out.push([join(path, name), v]);
          }
      } else {
        for (const name of m._bufferNames.keys()) {
          const b = (m as unknown as Record<string, unknown>)[name];
          if (b instanceof Tensor && !seen.has(b)) {
            seen.add(b);
            out.push([join(path, name), b]);
          }
        }
      }
    }
    return out;
  }

  /** Parameters with dotted paths, each once; only this module's own when recurse is false. */
  *namedParameters(prefix = "", recurse = true): Generator<[string, Parameter]> {
    const mods = recurse ? this._modulePaths(prefix) : [[prefix, this] as [string, Module]];
    yield* this._namedTensors("parameters", mods) as [string, Parameter][];
  }

  /** Parameters, each once (what an optimiser takes). */
  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters("", recurse)) yield p;
  }

  /** Buffers with dotted paths. */
  *namedBuffers(prefix = "", recurse = true): Generator<[string, Tensor]> {
    yield* this._namedTensors("buffers", recurse ? this._modulePaths(prefix) : [[prefix, this]]);
  }

  /** Buffers. */
  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers("", recurse)) yield b;
  }

  /** The submodule at a dotted path ("encoder.0"). */
  getSubmodule(path: string): Module {
    return (path ? path.split(".") : []).reduce<Module>((m, name) => {
      const next = m._ownEntries().find(([n]) => n === name)?.[1];
      if (!(next instanceof Module)) {
        throw new Error(`getSubmodule: ${m.label()} has no submodule '${name}' (path '${path}')`);
      }
      return next;
    }, this);
  }

  /** Sets train mode here and below; returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }

  /** Sets eval mode (train(false)); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Turns gradient tracking of every parameter on or off; returns this. */
  requiresGrad_(on = true): this {
    for (const p of this.parameters()) p.requiresGrad = on;
    return this;
  }

  /** Clears the gradients of all parameters (to null, or to zeros when setToNone is false). */
  zeroGrad(setToNone = true): void {
    zeroGrads(this.parameters(), setToNone);
  }

  /** Calls fn on every submodule, children first, then on this one (for custom init); returns this. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Converts floating-point parameters and buffers to `dtype` in place (parameters keep their identity). */
  to(dtype: DType): this {
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [, v] of m._ownEntries()) {
          if (!(v instanceof Parameter) || !isFloat(v.dtype) || v.dtype === dtype) continue;
          setData(v, v.to(dtype));
          v._accumulator = null;
          if (v.grad) v.grad = v.grad.to(dtype);
        }
        for (const name of m._bufferNames.keys()) {
          const b = (m as unknown as Record<string, unknown>)[name];
          if (b instanceof Tensor && isFloat(b.dtype)) (m as unknown as Record<string, unknown>)[name] = b.to(dtype);
        }
      }
    });
    return this;
  }

  /** Converts floating-point state to float64. */
  double(): this {
    return this.to("float64");
  }

  /** Converts floating-point state to float32. */
  float(): this {
    return this.to("float32");
  }

  /** Parameters and persistent buffers by dotted path (detached, sharing storage, unless keepVars). */
  stateDict(opts: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const out: StateDict = {};
    const visit = (m: Module, prefix: string) => {
      const own = m._ownEntries();
      for (const [name, v] of own) if (v instanceof Parameter) out[prefix + name] = opts.keepVars ? v : v.detach();
      for (const [name, persistent] of m._bufferNames) {
        const b = (m as unknown as Record<string, unknown>)[name];
        if (persistent && b instanceof Tensor) out[prefix + name] = opts.keepVars ? b : b.detach();
      }
      for (const [name, v] of own) if (v instanceof Module) visit(v, `${prefix}${name}.`);
    };
    visit(this, opts.prefix ?? "");
    return out;
  }

  /**
   * Copies tensors from a state dict into this module's parameters and buffers (in place, cast to
   * their dtypes). Nothing is copied unless every key fits: the error lists missing, unexpected and
   * mis-shaped keys.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, opts: LoadOptions = {}): LoadResult {
    return loadState(this.stateDict({ keepVars: true }), stateDict, opts, this.label());
  }

  /** Registers a hook run before forward; it may return replacement inputs. */
  registerForwardPreHook(hook: ForwardPreHook<this>): RemovableHandle {
    return addHook(this._forwardPreHooks, hook as ForwardPreHook);
  }

  /** Registers a hook run after forward with (module, inputs, output); it may return a replacement output. */
  registerForwardHook(hook: ForwardHook<this>): RemovableHandle {
    return addHook(this._forwardHooks, hook as ForwardHook);
  }

  /**
   * Registers a hook run during backward with (module, gradInput, gradOutput): the gradients with
   * respect to the call's tensor inputs and outputs. It may return replacement input gradients.
   */
  registerFullBackwardHook(hook: BackwardHook<this>): RemovableHandle {
    return addHook(this._backwardHooks, hook as BackwardHook);
  }

  /** The settings shown inside the parentheses of the repr, e.g. "inFeatures=4, outFeatures=3, bias=true". */
  extraRepr(): string {
    return "";
  }

  /** The module's class name and settings on one line, e.g. "Linear(inFeatures=4, outFeatures=3, bias=true)", for errors. */
  label(): string {
    return `${this.constructor.name}(${this.extraRepr()})`;
  }

  /** A tree like PyTorch's repr. */
  toString(): string {
    const extra = this.extraRepr() ? this.extraRepr().split("\n") : [];
    const kids = [...this.namedChildren()].map(([n, m]) => `(${n}): ${m.toString().split("\n").join("\n  ")}`);
    const lines = [...extra, ...kids];
    if (lines.length === 1 && !kids.length) return `${this.constructor.name}(${lines[0]})`;
    return lines.length ? `${this.constructor.name}(\n  ${lines.join("\n  ")}\n)` : `${this.constructor.name}()`;
  }
}

function addHook<H>(map: Map<number, H>, hook: H): RemovableHandle {
  const id = hookIds++;
  map.set(id, hook);
  return { remove: () => void map.delete(id) };
}

/** Throws a shape error that names the layer: "Linear(...): expected …, got shape [2, 5]". */
export function shapeError(m: Module, expected: string, x: Tensor): never {
  throw new RangeError(`${m.label()}: expected ${expected}, got shape ${fmtShape(x.shape)}`);
}
