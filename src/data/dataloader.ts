// DataLoader: batches of a dataset, optionally shuffled with a seeded generator so runs repeat.
// Iterable with `for...of` and with `for await` (which yields to the event loop between batches,
// so a progress bar or a browser page stays responsive).

import { checkOptions } from "../core/options.js";
import { creation } from "../api/functions.js";
import { defaultGenerator, Generator } from "../tensor/random.js";
import { type Dataset, defaultCollate } from "./dataset.js";

// setImmediate (Node) returns after pending I/O without the 1 ms clamp of setTimeout
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** Options of a DataLoader (PyTorch's, camelCased; `seed` replaces passing a torch.Generator). */
export interface DataLoaderOptions<T> {
  /** Items per batch (default 1). */
  batchSize?: number;
  /** Visit the items in a new random order each pass (default false). */
  shuffle?: boolean;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Seeds the loader's own generator; without it, shuffling draws from the global stream (cr.manualSeed). */
  seed?: number;
  /** The generator shuffling draws from (instead of seed). */
  generator?: Generator;
  /** Makes a batch of items (default: tensors stacked, numbers made a tensor, arrays and objects field by field). */
  collate?: (items: T[]) => T;
}

/**
 * Iterates over a dataset in batches (torch.utils.data.DataLoader without worker processes).
 *
 * @example
 * const loader = new cr.data.DataLoader(new cr.data.TensorDataset(x, y), { batchSize: 32, shuffle: true, seed: 0 });
 * for (const [xb, yb] of loader) train(xb!, yb!);
 */
export class DataLoader<T> implements Iterable<T>, AsyncIterable<T> {
  /** Items per batch. */
  readonly batchSize: number;
  /** Whether each pass visits the items in a new random order. */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than batchSize is skipped. */
  readonly dropLast: boolean;
  private readonly generator: Generator;
  private readonly collate: (items: T[]) => T;

  constructor(
    /** The dataset the batches are drawn from. */
    readonly dataset: Dataset<T>,
    opts: DataLoaderOptions<T> = {},
  ) {
    checkOptions("DataLoader", opts, ["batchSize", "shuffle", "dropLast", "seed", "generator", "collate"]);
    const { batchSize = 1, shuffle = false, dropLast = false } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = opts.generator ?? (opts.seed !== undefined ? new Generator(opts.seed) : defaultGenerator);
    this.collate = opts.collate ?? defaultCollate;
  }

  /** The number of batches per pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The item order of one pass: 0…n−1, or a fresh Fisher–Yates permutation when shuffling. */
  private order(): Int32Array {
    const n = this.dataset.length;
    if (!this.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    return creation.randperm(n, { generator: this.generator }).dataSync() as Int32Array;
  }

  private batchAt(order: Int32Array, b: number): T {
    const idx = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
    if (this.dataset.getBatch && this.collate === defaultCollate) return this.dataset.getBatch(idx);
    return this.collate(Array.from(idx, (i) => this.dataset.get(i)));
  }

  /** One pass over the data; each pass reshuffles. */
  *[Symbol.iterator](): Iterator<T> {
    const order = this.order();
    const batches = this.length;
    for (let b = 0; b < batches; b++) yield this.batchAt(order, b);
  }

  /** One pass, yielding to the event loop before each batch. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const order = this.order();
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      await yieldToEventLoop();
      yield this.batchAt(order, b);
    }
  }
}
