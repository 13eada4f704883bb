// cr.data on Node: the browser's cr.data (datasets, the DataLoader, CSV and IDX parsers, the
// seeded split and standardisation), plus file readers (gzip-aware) and the ready-made datasets.

export * from "./index.browser.js";
export { readBytes, readCsv, readIdx } from "./files.js";
export {
  bundledDigitsPath,
  loadDigits,
  loadIris,
  loadBreastCancer,
  loadCountedCsv,
  loadIdxFolder,
  bundledMnistDir,
  loadMnist,
  loadText,
} from "./datasets.js";
