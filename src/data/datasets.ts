// Ready-made datasets (Node): the bundled digits, the iris and breast-cancer CSVs (header line
// "rows,features,class names..."), the bundled MNIST test set and MNIST-style IDX pairs from any
// folder, and the bundled text (the US Constitution) for character-level language models. Node-only: the split and standardisation that work anywhere are in
// classification.ts.

import { readBytes, readCsv, readIdx } from "./files.js";
import type { ClassificationData } from "./classification.js";

/** The path of a dataset shipped in the package's data/ folder (digits, iris, breast cancer, the text). */
export async function bundledPath(
  file: "digits.csv.gz" | "iris.csv.gz" | "breast_cancer.csv.gz" | "us-constitution.txt.gz",
): Promise<string> {
  const { fileURLToPath } = await import("node:url");
  return fileURLToPath(new URL(`../../data/${file}`, import.meta.url));
}

/** The path of the digits dataset shipped in the package (data/digits.csv.gz). */
export const bundledDigitsPath = () => bundledPath("digits.csv.gz");

/** A UTF-8 text file (plain or gzip); by default the bundled US Constitution (data/us-constitution.txt.gz). */
export async function loadText(file?: string): Promise<string> {
  const path = file ?? (await bundledPath("us-constitution.txt.gz"));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(await readBytes(path, "loadText"));
  } catch (e) {
    if (e instanceof TypeError) throw new SyntaxError(`loadText: ${path} is not UTF-8 text`, { cause: e });
    throw e;
  }
}

/** UCI's 8×8 hand-written digits: x [1797, 64] with grey levels 0…16, y in 0…9. */
export async function loadDigits(file?: string): Promise<ClassificationData> {
  const path = file ?? (await bundledDigitsPath());
  const { features, labels } = await readCsv(path);
  if (features.shape[1] !== 64) {
    throw new RangeError(`loadDigits: ${path} has ${features.shape[1]} feature columns, expected 64 (8×8 pixels)`);
  }
  return { name: "digits", x: features, y: labels!, classes: Array.from({ length: 10 }, (_, i) => String(i)) };
}

/** A CSV whose first line is "rows,features,class0,class1,…" and whose last column is the label. */
export async function loadCountedCsv(file: string, name = "csv"): Promise<ClassificationData> {
  const { features, labels, header } = await readCsv(file, { headerLines: 1 });
  const [rows, cols, ...classes] = header[0]!.map((f) => f.trim());
  if (Number(rows) !== features.shape[0] || Number(cols) !== features.shape[1]) {
    throw new RangeError(
      `${name}: ${file} header declares ${rows} rows × ${cols} features but holds ${features.shape[0]} × ${features.shape[1]}`,
    );
  }
  const y = labels!;
  if (y.dtype !== "int32" || y.numel() === 0 || y.amin().item() < 0 || y.amax().item() >= classes.length) {
    throw new RangeError(`${name}: ${file} labels must be integers in 0…${classes.length - 1} (${classes.join(", ")})`);
  }
  return { name, x: features, y, classes };
}

/** Fisher's iris (150 × 4, three classes): the bundled copy, or a file in the same CSV layout. */
export const loadIris = async (file?: string) => loadCountedCsv(file ?? (await bundledPath("iris.csv.gz")), "iris");

/** Wisconsin diagnostic breast cancer (569 × 30, malignant/benign): the bundled copy, or a file in the same layout. */
export const loadBreastCancer = async (file?: string) =>
  loadCountedCsv(file ?? (await bundledPath("breast_cancer.csv.gz")), "breast-cancer");

/** The folder of the MNIST test set shipped in the package (data/mnist: 10,000 IDX images and labels). */
export async function bundledMnistDir(): Promise<string> {
  const { fileURLToPath } = await import("node:url");
  return fileURLToPath(new URL("../../data/mnist/", import.meta.url));
}

/** MNIST (28×28 digits, x scaled to 0…1): the bundled 10,000-image test set, or the IDX pair in `dir`. */
export async function loadMnist(dir?: string): Promise<ClassificationData> {
  return { ...(await loadIdxFolder(dir ?? (await bundledMnistDir()))), name: "mnist" };
}

/**
 * An IDX image/label pair from a folder (MNIST's layout): x float32 [n, rows, cols] scaled to
 * 0…1, y int32 [n]. With several pairs (train and t10k), `prefix` picks one; "train" is preferred.
 */
export async function loadIdxFolder(dir: string, prefix?: string): Promise<ClassificationData> {
  const [{ readdir }, { join }] = await Promise.all([import("node:fs/promises"), import("node:path")]);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (e) {
    throw new Error(`loadIdxFolder: cannot list ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const images = names.filter((n) => /images[-.]idx3-ubyte(\.gz)?$/.test(n));
  const choose = (list: string[]) =>
    (prefix ? list.filter((n) => n.startsWith(prefix)) : list).sort(
      (a, b) => +b.startsWith("train") - +a.startsWith("train"),
    )[0];
  const img = choose(images);
  if (!img)
    throw new Error(
      `loadIdxFolder: no *images-idx3-ubyte[.gz] file${prefix ? ` starting with '${prefix}'` : ""} in ${dir}`,
    );
  const stem = img.slice(0, img.indexOf("images"));
  const lab = names.find((n) => n.startsWith(stem) && /labels[-.]idx1-ubyte(\.gz)?$/.test(n));
  if (!lab) throw new Error(`loadIdxFolder: found ${img} but no matching ${stem}labels-idx1-ubyte[.gz] in ${dir}`);
  const [x, y] = await Promise.all([readIdx(join(dir, img)), readIdx(join(dir, lab))]);
  if (x.ndim !== 3 || y.ndim !== 1 || x.shape[0] !== y.shape[0]) {
    throw new RangeError(
      `loadIdxFolder: ${img} has shape [${x.shape.join(", ")}] and ${lab} [${y.shape.join(", ")}]; expected [n, rows, cols] images and [n] labels`,
    );
  }
  const k = Math.max(9, y.amax().item());
  return {
    name: stem.replace(/[-.]$/, "") || "idx",
    x: x.to("float32").div(255),
    y,
    classes: Array.from({ length: k + 1 }, (_, i) => String(i)),
  };
}
