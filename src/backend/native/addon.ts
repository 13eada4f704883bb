// Finding and loading the compiled addon: node-gyp-build picks it at the package root (a
// compiled build/Release in a clone, else the prebuilt prebuilds/<platform>-<arch>). Node's
// modules are reached through process.getBuiltinModule, so this module imports nothing from
// Node: a browser bundle can include it, and outside Node it reports the addon as unavailable.

import {
  type BinaryOp,
  binaryOps,
  type ReduceOp,
  reduceOps,
  type ScanOp,
  scanOps,
  type UnaryOp,
  unaryOps,
} from "../kernels.js";

/** The addon's ABI this TypeScript side speaks (native/addon.cc's kAbi). */
export const ADDON_ABI = 10;

/** Bytes per element of each dtype code (float32, float64, int32, bool). */
export function dtypeCodeBytes(code: number): number {
  return [4, 8, 4, 1][code] ?? 0;
}

/** An addon buffer: an opaque External, freed by the garbage collector or by free(). */
export type NativeBuffer = object;

/** What the addon (chainrule.node) exports; geometry goes through the descriptor given to init. */
export interface NativeAddon {
  readonly abi: number;
  readonly unaryOps: readonly string[];
  readonly binaryOps: readonly string[];
  readonly reduceOps: readonly string[];
  readonly scanOps: readonly string[];
  /** Hands over the shared view descriptor and the staging buffer for small uploads and reads. */
  init(desc: Float64Array, staging: Float64Array): void;
  /**
   * Where the kernels' own memory holds the descriptor and staging array (the WebAssembly
   * module's), those arrays, to be written in place instead of handed over by init.
   */
  views?(): { desc: Float64Array; staging: Float64Array };
  /** A zero-filled buffer of n elements of dtype code `dtype`. */
  alloc(dtype: number, n: number): NativeBuffer;
  /** A buffer holding a copy of `data` (already of the dtype's array type). */
  upload(dtype: number, data: ArrayBufferView): NativeBuffer;
  /** A buffer holding the first n staging values converted to dtype code `dtype`. */
  uploadStaged(dtype: number, n: number): NativeBuffer;
  /** A copy of the whole buffer as a typed array of dtype code `dtype`. */
  read(buffer: NativeBuffer, dtype: number): ArrayBufferView;
  /** Copies the whole buffer into the staging array as doubles and returns its length; -1 if it does not fit. */
  readStaged(buffer: NativeBuffer, dtype: number): number;
  /** Copies `data`'s bytes to the start of the buffer. */
  write(buffer: NativeBuffer, data: ArrayBufferView): void;
  fill(buffer: NativeBuffer, dtype: number, offset: number, n: number, value: number): void;
  copy(src: NativeBuffer, dst: NativeBuffer): void;
  unary(op: number, x: NativeBuffer, out: NativeBuffer, outDtype: number): void;
  binary(op: number, a: NativeBuffer, b: NativeBuffer, out: NativeBuffer, outDtype: number): void;
  /** out += alpha * x, x and out of one dtype. */
  axpy(alpha: number, x: NativeBuffer, out: NativeBuffer): void;
  where(cond: NativeBuffer, a: NativeBuffer, b: NativeBuffer, out: NativeBuffer, outDtype: number): void;
  reduce(op: number, x: NativeBuffer, nReduce: number, out: NativeBuffer, outDtype: number): void;
  /** (Log-)softmax along the last dim; x's and out's views are in the descriptor. */
  softmax(x: NativeBuffer, out: NativeBuffer, log: number): void;
  softmaxBackward(g: NativeBuffer, y: NativeBuffer, out: NativeBuffer, log: number): void;
  /** A fused activation (its code: the position in activationKinds); x's view is in the descriptor. */
  activation(kind: number, x: NativeBuffer, out: NativeBuffer): void;
  activationBackward(kind: number, g: NativeBuffer, x: NativeBuffer, out: NativeBuffer): void;
  matmul(a: NativeBuffer, b: NativeBuffer, out: NativeBuffer, dtype: number): void;
  gather(x: NativeBuffer, dim: number, index: NativeBuffer, out: NativeBuffer): void;
  scatterAdd(dst: NativeBuffer, dim: number, index: NativeBuffer, src: NativeBuffer): void;
  /** `reduce` is the mode's position in scatterReduceOps; includeSelf is 0 or 1. */
  scatterReduce(
    dst: NativeBuffer,
    dim: number,
    index: NativeBuffer,
    src: NativeBuffer,
    reduce: number,
    includeSelf: number,
  ): void;
  /** x's, out's and (max, min) the indices' views are in the descriptor; no indices argument, none written. */
  scan(op: number, x: NativeBuffer, out: NativeBuffer, indices?: NativeBuffer): void;
  /** x's, values' and indices' views are in the descriptor; descending is 0 or 1. */
  sort(x: NativeBuffer, values: NativeBuffer, indices: NativeBuffer, descending: number): void;
  /** x's view, then k and the kernel sizes, strides and dilations, are in the descriptor. */
  maxPool(x: NativeBuffer, values: NativeBuffer, positions: NativeBuffer): void;
  /** Stride-1 direct 2-D convolution; padding, dilation and groups follow the views in the descriptor. */
  convDirect(x: NativeBuffer, w: NativeBuffer, bias: NativeBuffer | null, out: NativeBuffer): void;
  /**
   * The weight gradient of that convolution (and with a bias view, after a 0/1 flag, the bias's);
   * kernel size, padding, dilation and groups follow x's and g's views in the descriptor.
   */
  convWeightGrad(x: NativeBuffer, g: NativeBuffer, out: NativeBuffer, bias: NativeBuffer | null): void;
  /** The fused Adam update; the views and then the hyperparameters are in the descriptor. */
  adamStep(p: NativeBuffer, g: NativeBuffer, m: NativeBuffer, v: NativeBuffer, vmax: NativeBuffer | null): void;
  /** x's view, eps, then stats' view are in the descriptor. */
  batchNormStats(x: NativeBuffer, stats: NativeBuffer): void;
  /** x, stats, weight and bias (each after a 0/1 flag), the relu flag, out: in the descriptor in that order. */
  batchNormForward(
    x: NativeBuffer,
    stats: NativeBuffer,
    weight: NativeBuffer | null,
    bias: NativeBuffer | null,
    out: NativeBuffer,
  ): void;
  /** x's view, eps, stats' view, weight and bias (each after a 0/1 flag), the relu flag, out: in the descriptor. */
  batchNormTrain(
    x: NativeBuffer,
    stats: NativeBuffer,
    weight: NativeBuffer | null,
    bias: NativeBuffer | null,
    out: NativeBuffer,
  ): void;
  /**
   * g, x, stats, a flag and weight, the training flag, dx and dwb each after a flag, the relu flag,
   * then a flag and bias: in the descriptor.
   */
  batchNormBackward(
    g: NativeBuffer,
    x: NativeBuffer,
    stats: NativeBuffer,
    weight: NativeBuffer | null,
    dx: NativeBuffer | null,
    dwb: NativeBuffer | null,
    bias: NativeBuffer | null,
  ): void;
  /** eps, x, a flag and weight, a flag and bias, out, stats: in the descriptor. */
  layerNormForward(
    x: NativeBuffer,
    weight: NativeBuffer | null,
    bias: NativeBuffer | null,
    out: NativeBuffer,
    stats: NativeBuffer,
  ): void;
  /** g, x, stats, then a flag and the view of weight, dx and dwb each: in the descriptor. */
  layerNormBackward(
    g: NativeBuffer,
    x: NativeBuffer,
    stats: NativeBuffer,
    weight: NativeBuffer | null,
    dx: NativeBuffer | null,
    dwb: NativeBuffer | null,
  ): void;
  /**
   * Fused attention: q, k, v, mask (or null), out, lse's views are in the descriptor; causal is 0 or 1.
   */
  attention(
    q: NativeBuffer,
    k: NativeBuffer,
    v: NativeBuffer,
    mask: NativeBuffer | null,
    out: NativeBuffer,
    lse: NativeBuffer,
    scale: number,
    causal: number,
  ): void;
  /** Its backward: the forward's operands, then gOut, gq, gk, gv, views in the descriptor in that order. */
  attentionBackward(
    q: NativeBuffer,
    k: NativeBuffer,
    v: NativeBuffer,
    mask: NativeBuffer | null,
    out: NativeBuffer,
    lse: NativeBuffer,
    gOut: NativeBuffer,
    gq: NativeBuffer,
    gk: NativeBuffer,
    gv: NativeBuffer,
    scale: number,
    causal: number,
  ): void;
  /** LSTM cell: the views of gates, c, h, cNew and acts are in the descriptor. */
  lstmCell(gates: NativeBuffer, c: NativeBuffer, h: NativeBuffer, cNew: NativeBuffer, acts: NativeBuffer): void;
  /** Its gradient: the views of acts, c, gh, gc, dGates and dc are in the descriptor. */
  lstmCellBackward(
    acts: NativeBuffer,
    c: NativeBuffer,
    gh: NativeBuffer,
    gc: NativeBuffer,
    dGates: NativeBuffer,
    dc: NativeBuffer,
  ): void;
  /** GRU cell: the views of gi, gh, h, hNew and acts are in the descriptor. */
  gruCell(gi: NativeBuffer, gh: NativeBuffer, h: NativeBuffer, hNew: NativeBuffer, acts: NativeBuffer): void;
  /** Its gradient: the views of acts, h, g, dGi, dGh and dh are in the descriptor. */
  gruCellBackward(
    acts: NativeBuffer,
    h: NativeBuffer,
    g: NativeBuffer,
    dGi: NativeBuffer,
    dGh: NativeBuffer,
    dh: NativeBuffer,
  ): void;
  /** Returns the buffer's memory now; later use of it throws. */
  free(buffer: NativeBuffer): void;
  /** Bytes of released memory kept for reuse. */
  pooledBytes(): number;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** The SIMD path in use: 'avx512', 'avx2' or 'portable'. */
  simd(): string;
  /** The SIMD paths this CPU can run, best first. */
  simdPaths(): string[];
}

/** The addon's code for each op name this side sends: its position in the addon's exported list. */
export interface OpCodes {
  readonly unary: Readonly<Record<UnaryOp, number>>;
  readonly binary: Readonly<Record<BinaryOp, number>>;
  readonly reduce: Readonly<Record<ReduceOp, number>>;
  readonly scan: Readonly<Record<ScanOp, number>>;
}

/** The addon and its op codes, or why it could not be loaded. */
export type LoadResult =
  { addon: NativeAddon; codes: OpCodes; error?: undefined } | { addon?: undefined; codes?: undefined; error: string };

/** True when running under Node.js with native addon support. */
export function inNode(): boolean {
  return typeof process !== "undefined" && typeof process.versions?.node === "string" && "dlopen" in process;
}

/** node-gyp-build's path finder: the .node file it would load from a package folder. */
type ResolveAddon = (root: string) => string;

/** node-gyp-build's finder, through a require made for this module; null before Node 20.16. */
function addonResolver(): { resolve: ResolveAddon; root: string } | null {
  const nodeModule = process.getBuiltinModule?.("node:module");
  const url = process.getBuiltinModule?.("node:url");
  if (!nodeModule || !url) return null;
  const nodeGypBuild = nodeModule.createRequire(import.meta.url)("node-gyp-build") as { resolve: ResolveAddon };
  // src/backend/native and dist/backend/native are both three levels below the package root
  return { resolve: nodeGypBuild.resolve, root: url.fileURLToPath(new URL("../../..", import.meta.url)) };
}

/** The addon's file: CHAINRULE_NATIVE_PATH, else node-gyp-build's pick; an error says why there is none. */
export function addonPath(): { path: string; error?: undefined } | { path?: undefined; error: string } {
  const override = process.env.CHAINRULE_NATIVE_PATH;
  if (override) return { path: override };
  let finder: ReturnType<typeof addonResolver>;
  try {
    finder = addonResolver();
  } catch (e) {
    return { error: `cannot load node-gyp-build: ${loadError(e)}` };
  }
  if (!finder) return { error: `Node.js ${process.version} cannot load it (20.16 or later can)` };
  try {
    return { path: finder.resolve(finder.root) };
  } catch {
    // node-gyp-build's own message is a paragraph; it only ever means that nothing fits
    return { error: `no addon for ${process.platform}-${process.arch}: none prebuilt fits and none was compiled` };
  }
}

/** The first line of an error's message, without the file name that dlopen puts in front. */
function loadError(e: unknown, path?: string): string {
  const line = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
  return path && line.startsWith(`${path}: `) ? line.slice(path.length + 2) : line;
}

/**
 * Each wanted name's position in the addon's list, looked up by name so the two orders never
 * have to match; names the addon lacks go to `missing`.
 */
function codesByName<N extends string>(wanted: readonly N[], built: readonly string[], missing: string[]) {
  const codes = {} as Record<N, number>;
  for (const name of wanted) {
    codes[name] = built.indexOf(name);
    if (codes[name] < 0) missing.push(name);
  }
  return codes;
}

/** The addon's code for each op this side names, or the names it lacks. */
export function opCodesOf(addon: Pick<NativeAddon, "unaryOps" | "binaryOps" | "reduceOps" | "scanOps">): {
  codes: OpCodes;
  missing: string[];
} {
  const missing: string[] = [];
  const codes: OpCodes = {
    unary: codesByName(unaryOps, addon.unaryOps, missing),
    binary: codesByName(binaryOps, addon.binaryOps, missing),
    reduce: codesByName(reduceOps, addon.reduceOps, missing),
    scan: codesByName(scanOps, addon.scanOps, missing),
  };
  return { codes, missing };
}

/** Loads the addon and checks that it matches this version of the kernel interface and has every op. */
export function loadAddon(): LoadResult {
  if (!inNode()) return { error: "not running in Node.js" };
  const { path, error } = addonPath();
  if (error !== undefined) return { error };
  const mod = { exports: {} as Partial<NativeAddon> };
  try {
    process.dlopen(mod, path);
  } catch (e) {
    return { error: `cannot load ${path}: ${loadError(e, path)}` };
  }
  const addon = mod.exports as NativeAddon;
  const rebuild = "rebuild it with npx node-gyp rebuild";
  if (addon.abi !== ADDON_ABI) return { error: `${path} was built from other sources; ${rebuild}` };
  const { codes, missing } = opCodesOf(addon);
  if (missing.length > 0) return { error: `${path} has no kernel for ${missing.join(", ")}; ${rebuild}` };
  return { addon, codes };
}
