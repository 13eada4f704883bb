// A tiny expression language for computational-graph examples such as the notes' f = (x+y)z:
// statements "q = x + y; f = q * z" over scalar variables, with + - * / ^, unary minus and the
// functions sigmoid relu tanh exp log sqrt abs sin cos max min. Evaluated with chainrule ops,
// so tracing it records the gates the notes draw (max(x, y) routes, x*x + x copies).

import { elementwise } from "../api/functions.js";

const { add, div, maximum, minimum, mul, pow, sub } = elementwise;
import { creation } from "../api/functions.js";

const { tensor } = creation;
import type { Tensor } from "../api/tensor.js";

/** A parsed expression tree. */
export type Expr =
  | { kind: "num"; value: number }
  | { kind: "var"; name: string }
  | { kind: "bin"; op: "+" | "-" | "*" | "/" | "^"; a: Expr; b: Expr }
  | { kind: "neg"; a: Expr }
  | { kind: "call"; fn: string; args: Expr[] };

/** One statement: an optional name and its expression. */
export interface Statement {
  /** The name it is assigned to (`q` of `q = x + y`), if any. */
  name?: string;
  /** The parsed expression. */
  expr: Expr;
}

const UNARY_FNS = ["sigmoid", "relu", "tanh", "exp", "log", "sqrt", "abs", "sin", "cos"] as const;
const BINARY_FNS = ["max", "min"] as const;

/** Parses "q = x + y; f = q * z" into statements; throws naming the position of a syntax error. */
export function parseProgram(src: string): Statement[] {
  const tokens = src.match(/\d+\.?\d*(?:e[+-]?\d+)?|\.\d+|[A-Za-z_][A-Za-z_0-9]*|\S/g) ?? [];
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`expression: ${what} at token ${i + 1} ('${tokens[i] ?? "end"}') in "${src}"`);
  };
  const peek = () => tokens[i];
  const take = (t?: string) => {
    if (t !== undefined && tokens[i] !== t) fail(`expected '${t}'`);
    return tokens[i++]!;
  };
  const primary = (): Expr => {
    const t = peek();
    if (t === undefined) return fail("unexpected end");
    if (t === "(") {
      take("(");
      const e = sum();
      take(")");
      return e;
    }
    if (/^[\d.]/.test(t)) return { kind: "num", value: Number(take()) };
    if (/^[A-Za-z_]/.test(t)) {
      take();
      if (peek() !== "(") return { kind: "var", name: t };
      take("(");
      const args = [sum()];
      while (peek() === ",") {
        take(",");
        args.push(sum());
      }
      take(")");
      const arity = (UNARY_FNS as readonly string[]).includes(t)
        ? 1
        : (BINARY_FNS as readonly string[]).includes(t)
          ? 2
          : 0;
      if (!arity) fail(`unknown function '${t}' (known: ${[...UNARY_FNS, ...BINARY_FNS].join(", ")})`);
      if (args.length !== arity) fail(`${t} takes ${arity} argument(s), got ${args.length}`);
      return { kind: "call", fn: t, args };
    }
    return fail("unexpected token");
  };
  const power = (): Expr => {
    const a = primary();
    if (peek() !== "^") return a;
    take("^");
    return { kind: "bin", op: "^", a, b: unary() };
  };
  const unary = (): Expr => {
    if (peek() !== "-") return power();
    take("-");
    return { kind: "neg", a: unary() };
  };
  const product = (): Expr => {
    let a = unary();
    while (peek() === "*" || peek() === "/") {
      const op = take() as "*" | "/";
      a = { kind: "bin", op, a, b: unary() };
    }
    return a;
  };
  const sum = (): Expr => {
    let a = product();
    while (peek() === "+" || peek() === "-") {
      const op = take() as "+" | "-";
      a = { kind: "bin", op, a, b: product() };
    }
    return a;
  };
  const program: Statement[] = [];
  while (i < tokens.length) {
    if (peek() === ";") {
      take();
      continue;
    }
    const named = /^[A-Za-z_]/.test(tokens[i]!) && tokens[i + 1] === "=";
    const name = named ? take() : undefined;
    if (named) take("=");
    program.push({ name, expr: sum() });
    if (i < tokens.length) take(";");
  }
  if (!program.length) fail("empty expression");
  return program;
}

/** The variables an expression reads that no statement defines before, in order of first use. */
export function freeVariables(program: Statement[]): string[] {
  const defined = new Set<string>();
  const free: string[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === "var" && !defined.has(e.name) && !free.includes(e.name)) free.push(e.name);
    if (e.kind === "bin") [e.a, e.b].forEach(visit);
    if (e.kind === "neg") visit(e.a);
    if (e.kind === "call") e.args.forEach(visit);
  };
  for (const s of program) {
    visit(s.expr);
    if (s.name) defined.add(s.name);
  }
  return free;
}

type Val = Tensor | number;

const BIN: Record<"+" | "-" | "*" | "/" | "^", (a: Val, b: Val) => Val> = {
  "+": (a, b) => (typeof a === "number" && typeof b === "number" ? a + b : add(a, b)),
  "-": (a, b) => (typeof a === "number" && typeof b === "number" ? a - b : sub(a, b)),
  "*": (a, b) => (typeof a === "number" && typeof b === "number" ? a * b : mul(a, b)),
  "/": (a, b) => (typeof a === "number" && typeof b === "number" ? a / b : div(a, b)),
  "^": (a, b) => (typeof a === "number" && typeof b === "number" ? a ** b : pow(a, b)),
};

/**
 * Evaluates the statements with `vars` bound to tensors; each named statement's tensor gets that
 * name, and the last statement's value is returned (as a float64 tensor).
 */
export function evaluate(program: Statement[], vars: Record<string, Tensor>): Tensor {
  const env = new Map<string, Val>(Object.entries(vars));
  const ev = (e: Expr): Val => {
    switch (e.kind) {
      case "num":
        return e.value;
      case "var": {
        const v = env.get(e.name);
        if (v === undefined) throw new ReferenceError(`expression: '${e.name}' is not defined`);
        return v;
      }
      case "neg": {
        const a = ev(e.a);
        return typeof a === "number" ? -a : a.neg();
      }
      case "bin":
        return BIN[e.op](ev(e.a), ev(e.b));
      case "call": {
        const args = e.args.map(ev).map((a) => (typeof a === "number" ? tensor(a, { dtype: "float64" }) : a));
        if (e.fn === "max") return maximum(args[0]!, args[1]!);
        if (e.fn === "min") return minimum(args[0]!, args[1]!);
        return (args[0]! as unknown as Record<string, () => Tensor>)[e.fn]!.call(args[0]);
      }
    }
  };
  let last: Val = 0;
  for (const s of program) {
    last = ev(s.expr);
    if (s.name) {
      if (typeof last !== "number" && !Object.values(vars).includes(last)) last.name = s.name;
      env.set(s.name, last);
    }
  }
  return typeof last === "number" ? tensor(last, { dtype: "float64" }) : last;
}
