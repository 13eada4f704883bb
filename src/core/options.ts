// Options objects are checked, not trusted: a key an op does not know is almost always a typo or
// an option from another library, and ignoring it silently gives a wrong answer. The error names
// the function, the key, and the closest key it does know.

/** Edit distance between two keys, compared without case (so 'alignCorners' ~ 'align_corners'). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase().replace(/_/g, "");
  const y = b.toLowerCase().replace(/_/g, "");
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length]!;
}

/** The known key nearest to `key`, when it is near enough to be what was meant. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Throws when `opts` holds a key outside `known`, naming `where` (the function or layer the user
 * called), the key, and the closest known key. Keys whose value is undefined count too: a
 * misspelt key is wrong whatever its value.
 */
export function checkOptions(where: string, opts: object | null | undefined, known: readonly string[]): void {
  if (opts === null || opts === undefined) return;
  if (typeof opts !== "object" || Array.isArray(opts) || ArrayBuffer.isView(opts)) {
    throw new TypeError(`${where}: expected an options object, got ${Array.isArray(opts) ? "an array" : typeof opts}`);
  }
  for (const key of Object.keys(opts)) {
    if (known.includes(key)) continue;
    const near = closestKey(key, known);
    const hint = near ? ` (did you mean '${near}'?)` : "";
    const list = known.length ? `it takes ${known.map((k) => `'${k}'`).join(", ")}` : "it takes no options";
    throw new TypeError(`${where}: unknown option '${key}'${hint}; ${list}`);
  }
}
