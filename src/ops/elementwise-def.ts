// The two shapes of elementwise entry in the op table: a function of one tensor, and a
// broadcasting function of two. Each builds its forward from the kernel it names and a dtype
// rule, and its sample calls from a value domain; the entry's function carries its declaration
// (`fn.op`), so a module of such functions is a part of the table.

import type { BinaryOp, UnaryOp } from "../backend/kernels.js";
import { type DType, isFloat } from "../core/dtype.js";
import type { TensorBase as Tensor } from "../tensor/tensor.js";
import { type BackwardRule, defineOp, type Op } from "./define.js";
import type { ExplainRule } from "./explain-rule.js";
import type { Domain, Sample } from "./samples.js";
import { asTensor, binaryRaw, type Operand, resultType, unaryRaw } from "./unrecorded.js";

/** Float result for float-only functions of int inputs (exp(int) is float32, as in PyTorch). */
export const floatOf = (d: DType): DType => (isFloat(d) ? d : "float32");

/** The declaration of a unary elementwise op. */
export interface UnarySpec {
  /** The result's dtype: the input's, a float one for int inputs, or bool for a test. */
  dtype: "same" | "float" | "bool";
  /** What the backward reads: the input or the output. */
  save?: "input" | "output";
  backward?: BackwardRule<undefined>;
  explain: ExplainRule;
  /** Where the samples' values come from (default "real"): where the op is smooth. */
  domain?: Domain;
  /** PyTorch's function, when it is not torch.<the name in snake case>. */
  torch?: string;
  /** Samples beyond the two drawn ones: edge values (0, ±inf, NaN, −0) and int inputs. */
  samples?: readonly Sample<undefined>[];
}

/** A unary op's public function, carrying its table entry. */
export type UnaryFunction = ((x: Tensor) => Tensor) & { readonly op: Op<undefined> };

/** A binary op's public function, carrying its table entry. */
export type BinaryFunction = ((a: Operand, b: Operand) => Tensor) & { readonly op: Op<undefined> };

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Declares the elementwise op `name` of one tensor, computed by the unary kernel of that name. */
export function defineUnary(name: UnaryOp, spec: UnarySpec): UnaryFunction {
  const torch = spec.torch ?? `torch.${snake(name)}`;
  const sample = (shape: number[]): Sample<undefined> => ({
    inputs: [{ shape, domain: spec.domain }],
    attrs: undefined,
    torch: `${torch}(x0)`,
  });
  const op = defineOp<undefined>({
    name,
    forward: ([x]) => {
      const out = spec.dtype === "same" ? x!.dtype : spec.dtype === "bool" ? "bool" : floatOf(x!.dtype);
      return unaryRaw(name, x!, out, out === "bool" ? x!.dtype : out);
    },
    save: spec.save === "input" ? { inputs: [0] } : spec.save === "output" ? { output: true } : undefined,
    backward: spec.backward,
    explain: spec.explain,
    samples: [sample([2, 3]), sample([]), ...(spec.samples ?? [])],
  });
  return Object.assign((x: Tensor) => op([x], undefined), { op });
}

/** The declaration of a binary elementwise op. */
export interface BinarySpec {
  /**
   * The result's dtype: the promoted inputs' ("arith"), that or a float one for ints ("float",
   * true division), or bool for a comparison ("compare").
   */
  dtype: "arith" | "float" | "compare";
  /** Which inputs the backward reads, or a choice by which gradients are needed. */
  save?: number[] | ((needsInputGrad: readonly boolean[]) => number[]);
  backward?: BackwardRule<undefined>;
  explain: ExplainRule;
  /** Where the samples' values come from, per input (default "real"). */
  domains?: [Domain, Domain];
  /** The same call in PyTorch, when it is not torch.<the name in snake case>(x0, x1). */
  torch?: string;
  /** An input the op has no gradient for (a mask-like argument): gradcheck leaves it constant. */
  constantInput?: 0 | 1;
  /** Refuses inputs the kernel cannot take (an integer divisor of 0), given the dtype it computes in. */
  check?: (a: Tensor, b: Tensor, dtype: DType) => void;
  /** Samples beyond the two drawn ones: edge values, negative operands, int inputs. */
  samples?: readonly Sample<undefined>[];
}

/** What a product saves: each input's gradient needs the other input, so only those are kept. */
export const savesOther = (needs: readonly boolean[]) => [...(needs[1] ? [0] : []), ...(needs[0] ? [1] : [])];

/** Declares the broadcasting elementwise op `name`, computed by the binary kernel of that name. */
export function defineBinary(name: BinaryOp, spec: BinarySpec): BinaryFunction {
  const [da, db] = spec.domains ?? ["real", "real"];
  const sample = (a: number[], b: number[]): Sample<undefined> => ({
    inputs: [
      { shape: a, domain: da, grad: spec.constantInput !== 0 },
      { shape: b, domain: db, grad: spec.constantInput !== 1 },
    ],
    attrs: undefined,
    torch: spec.torch ?? `torch.${snake(name)}(x0, x1)`,
  });
  const op = defineOp<undefined>({
    name,
    forward: ([a, b]) => {
      const dt = a!.dtype === b!.dtype ? a!.dtype : resultType([a!, b!]);
      const inDt = spec.dtype === "float" ? floatOf(dt) : dt;
      spec.check?.(a!, b!, inDt);
      return binaryRaw(name, name, a!, b!, inDt, spec.dtype === "compare" ? "bool" : inDt);
    },
    save: spec.save ? { inputs: spec.save } : undefined,
    backward: spec.backward,
    explain: spec.explain,
    samples: [sample([2, 3], [2, 3]), sample([2, 3], [3]), ...(spec.samples ?? [])],
  });
  const fn = (a: Operand, b: Operand): Tensor => {
    const dt = resultType([a, b]);
    return op([asTensor(a, dt), asTensor(b, dt)], undefined);
  };
  return Object.assign(fn, { op });
}
