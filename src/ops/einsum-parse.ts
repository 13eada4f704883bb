// The einsum equation, read and checked against the operands' shapes. Each dim of each operand
// gets a label: its letter, or for the dims an ellipsis covers, ".0", ".1", … counted from the
// left of the widest ellipsis (ellipses align on the right, as broadcasting does). The output is
// the explicit one after "->", or PyTorch's implicit one: the ellipsis's dims, then the letters
// used exactly once, in ASCII order (upper case first).

import { fmtShape } from "../core/shape.js";

/** An equation resolved against its operands' shapes. */
export interface EinsumSpec {
  /** Each operand's labels, one per dim. */
  readonly inputs: readonly (readonly string[])[];
  /** The output's labels, one per dim. */
  readonly output: readonly string[];
  /** The size of each label: the largest seen (a size of 1 elsewhere broadcasts). */
  readonly sizes: ReadonlyMap<string, number>;
}

/** One term of the equation: its letters, and where its ellipsis stands (-1 if none). */
interface Term {
  readonly letters: string[];
  readonly ellipsisAt: number;
}

const ellipsisLabel = (k: number) => `.${k}`;

/** How errors name a label: a letter as itself, an ellipsis dim by its place. */
export function describeLabel(label: string, ellipsisDims: number): string {
  return label.startsWith(".") ? `dim ${Number(label.slice(1)) - ellipsisDims} of the ellipsis` : `index ${label}`;
}

/** Reads `equation` for operands of `shapes`; throws a RangeError naming einsum, the equation and what is wrong. */
export function parseEinsum(equation: string, shapes: readonly (readonly number[])[]): EinsumSpec {
  const fail = (what: string): never => {
    throw new RangeError(`einsum("${equation}"): ${what}`);
  };
  const eq = equation.replace(/\s+/g, "");
  const arrow = eq.indexOf("->");
  if (arrow !== eq.lastIndexOf("->")) fail('"->" appears more than once');
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const terms = lhs.split(",").map((t, k) => readTerm(t, `operand ${k}`, fail));
  if (terms.length !== shapes.length) {
    fail(`the equation has ${terms.length} operand term(s) but ${shapes.length} operand(s) were given`);
  }
  // each ellipsis covers the dims its letters leave; the widest sets how many ellipsis labels there are
  const covered = terms.map((t, k) => {
    const nd = shapes[k]!.length;
    const named = t.letters.length;
    if (t.ellipsisAt < 0 ? nd !== named : nd < named) {
      fail(
        `operand ${k} has ${nd} dims (shape ${fmtShape(shapes[k]!)}) but the equation gives it ${named} subscripts` +
          (t.ellipsisAt < 0 ? "" : " and an ellipsis"),
      );
    }
    return t.ellipsisAt < 0 ? 0 : nd - named;
  });
  const ellipsisDims = Math.max(0, ...covered);
  const inputs = terms.map((t, k) => {
    if (t.ellipsisAt < 0) return t.letters;
    const dots = Array.from({ length: covered[k]! }, (_, i) => ellipsisLabel(ellipsisDims - covered[k]! + i));
    return [...t.letters.slice(0, t.ellipsisAt), ...dots, ...t.letters.slice(t.ellipsisAt)];
  });
  const sizes = labelSizes(inputs, shapes, ellipsisDims, fail);
  const allEllipsis = Array.from({ length: ellipsisDims }, (_, i) => ellipsisLabel(i));
  let output: string[];
  if (arrow < 0) {
    const count = new Map<string, number>();
    for (const l of inputs.flat()) if (!l.startsWith(".")) count.set(l, (count.get(l) ?? 0) + 1);
    const once = [...count].filter(([, c]) => c === 1).map(([l]) => l);
    output = [...allEllipsis, ...once.sort()];
  } else {
    const out = readTerm(eq.slice(arrow + 2), "the output", fail);
    out.letters.forEach((l, i) => {
      if (out.letters.indexOf(l) !== i) fail(`output subscript ${l} appears more than once in the output`);
      if (!sizes.has(l)) fail(`output subscript ${l} does not appear in any operand's subscripts`);
    });
    output =
      out.ellipsisAt < 0
        ? out.letters
        : [...out.letters.slice(0, out.ellipsisAt), ...allEllipsis, ...out.letters.slice(out.ellipsisAt)];
  }
  return { inputs, output, sizes };
}

/** One comma-separated term: letters and at most one "...". */
function readTerm(term: string, what: string, fail: (what: string) => never): Term {
  const letters: string[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < term.length; i++) {
    const c = term[i]!;
    if (/[A-Za-z]/.test(c)) {
      letters.push(c);
    } else if (c === ".") {
      if (term.slice(i, i + 3) !== "...") fail(`${what} has a "." that is not part of an ellipsis "..."`);
      if (ellipsisAt >= 0) fail(`${what} has more than one ellipsis`);
      ellipsisAt = letters.length;
      i += 2;
    } else {
      fail(`invalid character ${JSON.stringify(c)} in ${what}'s subscripts; subscripts are letters a-z and A-Z`);
    }
  }
  return { letters, ellipsisAt };
}

/** Each label's size: equal within an operand (a diagonal), equal or 1 across operands (broadcast). */
function labelSizes(
  inputs: readonly (readonly string[])[],
  shapes: readonly (readonly number[])[],
  ellipsisDims: number,
  fail: (what: string) => never,
): Map<string, number> {
  const sizes = new Map<string, number>();
  const seenIn = new Map<string, number>();
  inputs.forEach((labels, k) => {
    const shape = shapes[k]!;
    labels.forEach((l, d) => {
      const n = shape[d]!;
      const first = labels.indexOf(l);
      if (first !== d && shape[first] !== n) {
        fail(
          `${describeLabel(l, ellipsisDims)} is repeated in operand ${k} (shape ${fmtShape(shape)}) ` +
            `with different sizes, ${shape[first]} and ${n}; a diagonal needs equal sizes`,
        );
      }
      const prev = sizes.get(l);
      if (prev === undefined || prev === 1) {
        sizes.set(l, n);
        seenIn.set(l, k);
      } else if (n !== prev && n !== 1) {
        const j = seenIn.get(l)!;
        fail(
          `size mismatch for ${describeLabel(l, ellipsisDims)}: ${prev} (operand ${j}, shape ${fmtShape(shapes[j]!)}) ` +
            `vs ${n} (operand ${k}, shape ${fmtShape(shape)}); sizes must match or be 1`,
        );
      }
    });
  });
  return sizes;
}
