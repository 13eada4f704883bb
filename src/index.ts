// chainrule on Node: the browser entry's API, with the native and WebAssembly backends (loaded
// first, so one is in place before any tensor exists), and cr.data and cr.io that read and write
// files. Only re-exports.

import "./backend/node.js";

export * from "./index.browser.js";
/** Datasets and the DataLoader (torch.utils.data), CSV and IDX files, and the bundled datasets (digits, MNIST). */
export * as data from "./data/index.js";
/** safetensors files: save and load state dicts that PyTorch's safetensors reads and writes. */
export * as io from "./io/index.js";
export { save, load } from "./io/index.js";
