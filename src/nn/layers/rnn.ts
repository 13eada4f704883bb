// Recurrent layers RNN, LSTM, GRU (multi-layer, bidirectional, batchFirst) and their cells, with
// PyTorch's gate order (LSTM i f g o; GRU r z n) and parameter names (weight_ih_l0, bias_hh_l1_reverse).
// The input projection of all time steps is one matmul (with b_hh folded in where the math
// allows); each step is then one recurrent product and one fused cell (ops/recurrent.ts). LSTM
// and GRU run all the steps of one direction as one recurrence op (ops/recurrent-layer.ts), which
// writes every step's state into its output and sums W_hh's gradient over the steps in one product.

import { Function, type FunctionCtx } from "../../api/function.js";
import { creation, functions } from "../../api/functions.js";
import { fmtShape } from "../../core/shape.js";
import type { Tensor } from "../../api/tensor.js";
import { gruCellOp, lstmCellOp } from "../../ops/recurrent.js";
import { recurrenceOp } from "../../ops/recurrent-layer.js";
import { dropout, linear } from "../functional/basic.js";
import * as init from "../init.js";
import { checkOptions } from "../../core/options.js";
import { Module, shapeError } from "../module.js";
import { Parameter } from "../parameter.js";

type Mode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

const gatesOf: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/**
 * x's slices along dim 0 as views, recorded as one node whose backward stacks their gradients
 * (zeros where none came). NOTE: select per step would record a slice each, whose backward
 * writes a zero tensor of x's whole shape per step: quadratic in the sequence length.
 */
class Unbind extends Function {
  static override forward(_ctx: FunctionCtx, x: Tensor): Tensor[] {
    return Array.from({ length: x.shape[0]! }, (_, t) => x.select(0, t));
  }
  static override backward(_ctx: FunctionCtx, ...grads: Tensor[]): Tensor {
    return functions.stack(grads, 0);
  }
}

const unbind = (x: Tensor): Tensor[] => Unbind.apply<Tensor[]>(x);

/** The input projection's bias: b_ih, plus b_hh where it adds to the same pre-activations (not GRU's: r scales its n part). */
function projectionBias(mode: Mode, bIh: Tensor | null, bHh: Tensor | null): Tensor | null {
  return bIh && bHh && mode !== "GRU" ? bIh.add(bHh) : bIh;
}

/**
 * One time step: `pre` is the input projection [N, G·H] (with b_hh for all but GRU), `state` is
 * [h] or [h, c], wT is W_hhᵀ and bHh GRU's recurrent bias; returns the new state.
 */
function step(mode: Mode, pre: Tensor, state: Tensor[], wT: Tensor, bHh: Tensor | null): Tensor[] {
  const h = state[0]!;
  switch (mode) {
    case "RNN_TANH":
      return [functions.addmm(pre, h, wT).tanh()];
    case "RNN_RELU":
      return [functions.addmm(pre, h, wT).relu()];
    case "LSTM":
      return unbind(lstmCellOp([functions.addmm(pre, h, wT), state[1]!], undefined) as Tensor);
    case "GRU": {
      const gh = bHh ? functions.addmm(bHh, h, wT) : h.matmul(wT);
      return [gruCellOp([pre, gh, h], undefined) as Tensor];
    }
  }
}

/** Options of RNN, LSTM and GRU. */
export interface RNNOptions {
  /** Layers stacked, each reading the previous one's outputs (default 1). */
  numLayers?: number;
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Inputs and outputs are [N, L, H] instead of [L, N, H]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last (train mode). */
  dropout?: number;
  /** Run a second pass backward in time and concatenate the two (default false). */
  bidirectional?: boolean;
}

abstract class RNNBase extends Module {
  /** Layers stacked. */
  readonly numLayers: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether inputs and outputs are [N, L, H] instead of [L, N, H]. */
  readonly batchFirst: boolean;
  /** Dropout on the outputs of every layer but the last (train mode). */
  readonly dropout: number;
  /** Whether a second pass runs backward in time. */
  readonly bidirectional: boolean;

  constructor(
    /** The recurrence: 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'. */
    protected readonly mode: Mode,
    /** Features of each input step. */
    readonly inputSize: number,
    /** Features of the hidden state. */
    readonly hiddenSize: number,
    opts: RNNOptions,
  ) {
    super();
    const keys = ["numLayers", "bias", "batchFirst", "dropout", "bidirectional"];
    checkOptions(new.target.name, opts, mode.startsWith("RNN") ? [...keys, "nonlinearity"] : keys);
    this.numLayers = opts.numLayers ?? 1;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    this.bidirectional = opts.bidirectional ?? false;
    const g = gatesOf[mode] * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let d = 0; d < dirs; d++) {
        const suffix = `_l${layer}${d ? "_reverse" : ""}`;
        const inSize = layer === 0 ? inputSize : hiddenSize * dirs;
        this.registerParameter(`weight_ih${suffix}`, new Parameter(creation.zeros([g, inSize])));
        this.registerParameter(`weight_hh${suffix}`, new Parameter(creation.zeros([g, hiddenSize])));
        if (this.bias) {
          this.registerParameter(`bias_ih${suffix}`, new Parameter(creation.zeros([g])));
          this.registerParameter(`bias_hh${suffix}`, new Parameter(creation.zeros([g])));
        }
      }
    }
    this.resetParameters();
  }

  /** The parameter named as PyTorch names it, e.g. 'weight_hh_l0' (null for a bias when bias is false). */
  param(name: string): Parameter | null {
    const p = (this as unknown as Record<string, unknown>)[name];
    return p instanceof Parameter ? p : null;
  }

  /** Every weight from U(−1/√hiddenSize, 1/√hiddenSize), as PyTorch. */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform(p, -bound, bound);
  }

  /** Runs the layers over input [L, N, inputSize] (or batchFirst/unbatched) from initial states `hx` ([h] or [h, c]). */
  protected run(input: Tensor, hx: Tensor[] | undefined): [Tensor, Tensor[]] {
    const batched = input.ndim === 3;
    if ((input.ndim !== 2 && input.ndim !== 3) || input.shape[input.ndim - 1] !== this.inputSize) {
      const layout = this.batchFirst ? "[N, L" : "[L, N";
      shapeError(this, `input ${layout}, ${this.inputSize}] or unbatched [L, ${this.inputSize}]`, input);
    }
    let x = batched ? (this.batchFirst ? input.transpose(0, 1) : input) : input.unsqueeze(1);
    const n = x.shape[1]!;
    const dirs = this.bidirectional ? 2 : 1;
    const stateShape = [this.numLayers * dirs, n, this.hiddenSize];
    const states = (hx ?? (this.mode === "LSTM" ? [null, null] : [null])).map((h, k) => {
      if (!h) return creation.zeros(stateShape, { dtype: input.dtype });
      const hb = batched ? h : h.unsqueeze(1);
      if (hb.ndim !== 3 || hb.shape.some((s, i) => s !== stateShape[i])) {
        throw new RangeError(
          `${this.label()}: expected initial ${k ? "cell" : "hidden"} state ${fmtShape(batched ? stateShape : [stateShape[0]!, stateShape[2]!])}, got ${fmtShape(h.shape)}`,
        );
      }
      return hb;
    });
    const finals: Tensor[][] = states.map(() => []);
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const suffix = `_l${layer}${d ? "_reverse" : ""}`;
        const [hs, last] = this.direction(
          suffix,
          d === 1,
          x,
          states.map((s) => s.select(0, layer * dirs + d)),
        );
        outs.push(hs);
        last.forEach((s, i) => finals[i]!.push(s));
      }
      x = dirs === 2 ? functions.cat(outs, 2) : outs[0]!;
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) x = dropout(x, this.dropout);
    }
    const out = batched ? (this.batchFirst ? x.transpose(0, 1) : x) : x.squeeze(1);
    const last = finals.map((f) => (batched ? functions.stack(f, 0) : functions.stack(f, 0).squeeze(1)));
    return [out, last];
  }

  /**
   * One direction of one layer over x [L, N, F] from `state` ([h0] or [h0, c0]): every step's h
   * [L, N, H] and the final state. LSTM and GRU run as one recurrence op; the RNN step by step.
   */
  private direction(suffix: string, reverse: boolean, x: Tensor, state: Tensor[]): [Tensor, Tensor[]] {
    const wHh = this.param(`weight_hh${suffix}`)!;
    const bHh = this.param(`bias_hh${suffix}`);
    const bias = projectionBias(this.mode, this.param(`bias_ih${suffix}`), bHh);
    const pre = linear(x, this.param(`weight_ih${suffix}`)!, bias);
    const len = x.shape[0]!;
    const end = reverse ? 0 : len - 1;
    if (this.mode === "LSTM" || this.mode === "GRU") {
      const lstm = this.mode === "LSTM";
      const extra = lstm ? state[1]! : bHh;
      const inputs = [pre, wHh, state[0]!, ...(extra ? [extra] : [])];
      const out = recurrenceOp(inputs, { cell: lstm ? "lstm" : "gru", reverse }) as Tensor;
      const hs = lstm ? out.select(0, 0) : out;
      return [hs, lstm ? [hs.select(0, end), out.select(0, 1).select(0, end)] : [hs.select(0, end)]];
    }
    // NOTE: W_hhᵀ made contiguous once: each step's weight gradient then comes out contiguous
    // too, and the steps' sum builds in place (a transposed view would be summed strided)
    const wT = wHh.t().contiguous();
    const steps = unbind(pre);
    const hs = new Array<Tensor>(len);
    for (let k = 0; k < len; k++) {
      const t = reverse ? len - 1 - k : k;
      state = step(this.mode, steps[t]!, state, wT, null);
      hs[t] = state[0]!;
    }
    return [functions.stack(hs, 0), state];
  }

  override extraRepr(): string {
    const extra = [
      this.numLayers !== 1 ? `numLayers=${this.numLayers}` : "",
      !this.bias ? "bias=false" : "",
      this.batchFirst ? "batchFirst=true" : "",
      this.dropout ? `dropout=${this.dropout}` : "",
      this.bidirectional ? "bidirectional=true" : "",
    ].filter(Boolean);
    return [`${this.inputSize}, ${this.hiddenSize}`, ...extra].join(", ");
  }
}

/** Elman RNN: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or relu) (torch.nn.RNN). */
export class RNN extends RNNBase {
  /** A stack of numLayers recurrent layers; nonlinearity 'tanh' (default) or 'relu'. */
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions & { nonlinearity?: "tanh" | "relu" } = {}) {
    super(opts.nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", inputSize, hiddenSize, opts);
  }
  /** [output [L, N, D·H], hN [layers·D, N, H]] from input [L, N, inputSize] and optional h0. */
  forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const [out, [h]] = this.run(input, h0 ? [h0] : undefined);
    return [out, h!];
  }
}

/** Long short-term memory with gates i, f, g, o (torch.nn.LSTM). */
export class LSTM extends RNNBase {
  /** A stack of numLayers LSTM layers. */
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super("LSTM", inputSize, hiddenSize, opts);
  }
  /** [output, [hN, cN]] from input [L, N, inputSize] and optional [h0, c0]. */
  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    const [out, [h, c]] = this.run(input, hx ?? undefined);
    return [out, [h!, c!]];
  }
}

/** Gated recurrent unit with gates r, z, n (torch.nn.GRU). */
export class GRU extends RNNBase {
  /** A stack of numLayers GRU layers. */
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super("GRU", inputSize, hiddenSize, opts);
  }
  /** [output, hN] from input [L, N, inputSize] and optional h0. */
  forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const [out, [h]] = this.run(input, h0 ? [h0] : undefined);
    return [out, h!];
  }
}

abstract class CellBase extends Module {
  /** [G·H, inputSize] */
  weight_ih: Parameter;
  /** [G·H, hiddenSize] */
  weight_hh: Parameter;
  /** [G·H] or null */
  bias_ih: Parameter | null;
  /** [G·H] or null */
  bias_hh: Parameter | null;

  constructor(
    /** The recurrence: 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'. */
    protected readonly mode: Mode,
    /** Features of each input. */
    readonly inputSize: number,
    /** Features of the hidden state. */
    readonly hiddenSize: number,
    bias: boolean,
  ) {
    super();
    const g = gatesOf[mode] * hiddenSize;
    this.weight_ih = new Parameter(creation.zeros([g, inputSize]));
    this.weight_hh = new Parameter(creation.zeros([g, hiddenSize]));
    this.bias_ih = bias ? new Parameter(creation.zeros([g])) : null;
    this.bias_hh = bias ? new Parameter(creation.zeros([g])) : null;
    const bound = 1 / Math.sqrt(hiddenSize);
    for (const p of this.parameters()) init.uniform(p, -bound, bound);
  }

  /** One step: x [N, inputSize] or [inputSize] and the state (zeros where missing) to the next state. */
  protected cell(x: Tensor, state: (Tensor | null | undefined)[]): Tensor[] {
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      shapeError(this, `input [N, ${this.inputSize}] or [${this.inputSize}]`, x);
    }
    const xb = x.ndim === 1 ? x.unsqueeze(0) : x;
    const full = state.map((s) =>
      s ? (x.ndim === 1 ? s.unsqueeze(0) : s) : creation.zeros([xb.shape[0]!, this.hiddenSize], { dtype: x.dtype }),
    );
    const pre = linear(xb, this.weight_ih, projectionBias(this.mode, this.bias_ih, this.bias_hh));
    const next = step(this.mode, pre, full, this.weight_hh.t(), this.mode === "GRU" ? this.bias_hh : null);
    return x.ndim === 1 ? next.map((s) => s.squeeze(0)) : next;
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? "" : ", bias=false"}`;
  }
}

/** One RNN step (torch.nn.RNNCell). */
export class RNNCell extends CellBase {
  /** nonlinearity 'tanh' (default) or 'relu'. */
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; nonlinearity?: "tanh" | "relu" } = {}) {
    checkOptions("RNNCell", opts, ["bias", "nonlinearity"]);
    super(opts.nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", inputSize, hiddenSize, opts.bias ?? true);
  }
  /** h' from x [N, inputSize] and h [N, hiddenSize] (zeros when omitted). */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.cell(x, [h])[0]!;
  }
}

/** One LSTM step (torch.nn.LSTMCell). */
export class LSTMCell extends CellBase {
  /** An LSTM cell. */
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } = {}) {
    checkOptions("LSTMCell", opts, ["bias"]);
    super("LSTM", inputSize, hiddenSize, opts.bias ?? true);
  }
  /** [h', c'] from x and [h, c] (zeros when omitted). */
  forward(x: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [h, c] = this.cell(x, hx ?? [null, null]);
    return [h!, c!];
  }
}

/** One GRU step (torch.nn.GRUCell). */
export class GRUCell extends CellBase {
  /** A GRU cell. */
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } = {}) {
    checkOptions("GRUCell", opts, ["bias"]);
    super("GRU", inputSize, hiddenSize, opts.bias ?? true);
  }
  /** h' from x and h (zeros when omitted). */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.cell(x, [h])[0]!;
  }
}
