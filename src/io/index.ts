// cr.io on Node: the browser's cr.io (safetensors as bytes), with save and load that also take a
// path (save writes atomically) and the atomic writer itself. cr.save and cr.load are re-exported at the top.

export * from "./index.browser.js";
export { save, load, loadFile, loadMetadata, writeFileAtomic, type FileSource } from "./files.js";
