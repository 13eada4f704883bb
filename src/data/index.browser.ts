// cr.data in the browser: datasets, the DataLoader (seeded shuffling; for...of and for await),
// parsers for CSV and IDX (MNIST) text and bytes, and classification data with a seeded split and
// standardisation. Reading files and the bundled datasets are Node's (index.ts).

export { type Dataset, TensorDataset, defaultCollate } from "./dataset.js";
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
export { parseCsv, type CsvOptions, type CsvTable } from "./csv.js";
export { parseIdx, toIdx } from "./idx.js";
export { type ClassificationData, type Split, trainTestSplit, Standardizer } from "./classification.js";
