// cr.data: datasets, the DataLoader (seeded shuffling; for...of and for await), parsers for CSV
// and IDX (MNIST) that work on in-memory text/bytes anywhere, file readers (Node, gzip-aware),
// and ready-made classification datasets with a seeded split and standardisation.

export { type Dataset, TensorDataset, defaultCollate } from "./dataset.js";
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
export { parseCsv, type CsvOptions, type CsvTable } from "./csv.js";
export { parseIdx, toIdx } from "./idx.js";
export { readBytes, readCsv, readIdx } from "./files.js";
export {
  type ClassificationData,
  type Split,
  bundledDigitsPath,
  loadDigits,
  loadIris,
  loadBreastCancer,
  loadCountedCsv,
  loadIdxFolder,
  trainTestSplit,
  Standardizer,
} from "./datasets.js";
