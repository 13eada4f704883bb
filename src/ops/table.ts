// The op table: every primitive chainrule records, by name, each declared once where its module
// defines it. Everything that lists ops is made from this table: the elementwise functions and
// Tensor methods (api/), the native addon's op list and the samples the PyTorch golden generator
// reads (tools/gen-ops.ts), explain's rules, and the generic tests (gradcheck, goldens, backend
// conformance, fast paths against reference rules), which run every entry's samples.

import type { BinaryOp, UnaryOp } from "../backend/kernels.js";
import { addmmOp, matmulOp } from "./linalg.js";
import * as arithmetic from "./arithmetic.js";
import * as binaryMath from "./binary-math.js";
import { expandOp, sumOp } from "./broadcast.js";
import { convOp } from "./conv.js";
import type { CompositeDef } from "./composite.js";
import type { Op } from "./define.js";
import { logSoftmaxOp, softmaxOp, softplusOp } from "./activation.js";
import { catOp, gatherOp, padOp, scatterAddOp } from "./index-ops.js";
import * as math from "./math.js";
import * as trig from "./trig.js";
import { nllOp } from "./nll.js";
import { maxPoolOp } from "./pool.js";
import { amaxOp, aminOp, argmaxOp, argminOp, normOp, prodOp } from "./reduce.js";
import { reluBackward } from "./relu-backward.js";
import { cloneOp, contiguousOp, flipOp, permuteOp, sliceBackwardOp, sliceOp, toOp, viewOp } from "./view.js";
import { clampOp, whereOp } from "./where.js";
import { foldOp, windowsOp } from "./windows.js";

/** T when its keys are exactly K: a missing entry or one with an unknown name fails to compile. */
type Exactly<K extends PropertyKey, T> = [Exclude<keyof T, K>, Exclude<K, keyof T>] extends [never, never]
  ? T
  : { missing: Exclude<K, keyof T>; unknown: Exclude<keyof T, K> };

/** The public elementwise functions of one tensor: one per unary kernel. */
export const unaryFunctions: Exactly<UnaryOp, typeof math & typeof trig> = { ...math, ...trig };

/** The public elementwise functions of two tensors (every binary kernel but relu's backward). */
export const binaryFunctions = { ...arithmetic, ...binaryMath };

const binaryKernelOps: Exactly<BinaryOp, typeof binaryFunctions & { reluBackward: typeof reluBackward }> = {
  ...binaryFunctions,
  reluBackward,
};

/** The name of a public unary elementwise function (and Tensor method). */
export type UnaryFunctionName = keyof typeof unaryFunctions;
/** The name of a public binary elementwise function (and Tensor method). */
export type BinaryFunctionName = keyof typeof binaryFunctions;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- entries differ in their attributes
export type AnyOp = Op<any>;

const entries: AnyOp[] = [
  ...Object.values(unaryFunctions).map((f) => f.op),
  ...Object.values(binaryKernelOps).map((f) => f.op),
  whereOp,
  clampOp,
  sumOp,
  expandOp,
  prodOp,
  amaxOp,
  aminOp,
  argmaxOp,
  argminOp,
  normOp,
  matmulOp,
  addmmOp,
  viewOp,
  permuteOp,
  sliceOp,
  sliceBackwardOp,
  contiguousOp,
  cloneOp,
  toOp,
  flipOp,
  gatherOp,
  scatterAddOp,
  catOp,
  padOp,
  softplusOp,
  softmaxOp,
  logSoftmaxOp,
  windowsOp,
  foldOp,
  convOp,
  maxPoolOp,
  nllOp,
];

/** Every primitive, by name: call it with (inputs, attrs); its declaration is `.def`. */
export const opTable: Readonly<Record<string, AnyOp>> = Object.fromEntries(entries.map((op) => [op.def.name, op]));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- composites differ in their attributes
export type AnyComposite = CompositeDef<any>;

const composites: AnyComposite[] = [];

/** The public functions written with the primitives above, by name, with their samples. */
export const compositeTable: Readonly<Record<string, AnyComposite>> = Object.fromEntries(
  composites.map((c) => [c.name, c]),
);
