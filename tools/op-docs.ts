// The doc comments of the public op functions, read from their sources with the TypeScript
// compiler. A named export made from one of api/functions.ts's lifted objects is a declaration of
// its own, which the shipped declarations print without the op's comment; the generator writes the
// op's comment above it, so each op's doc is written once, beside the op.

import { join } from "node:path";
import ts from "typescript";

/** The body of a `/** … *\/` comment as lines, without the delimiters and the leading stars. */
function bodyLines(comment: string): string[] {
  const lines = comment
    .replace(/^\/\*\*/, "")
    .replace(/\*\/$/, "")
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, "").trimEnd());
  while (lines.length && !lines[0]!.trim()) lines.shift();
  while (lines.length && !lines.at(-1)!.trim()) lines.pop();
  if (lines.length) lines[0] = lines[0]!.trimStart();
  return lines;
}

/** The lines as a doc comment at the top level of a file. */
function docComment(lines: readonly string[]): string {
  if (lines.length === 1) return `/** ${lines[0]} */`;
  return ["/**", ...lines.map((line) => (line ? ` * ${line}` : " *")), " */"].join("\n");
}

/** The expression's symbol through casts, parentheses and imports: `max as unknown as F` is max. */
function targetOf(checker: ts.TypeChecker, expr: ts.Expression): ts.Symbol | undefined {
  while (ts.isAsExpression(expr) || ts.isParenthesizedExpression(expr) || ts.isSatisfiesExpression(expr))
    expr = expr.expression;
  const symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(expr) ? expr.name : expr);
  return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/**
 * The lines of a symbol's doc: its declarations' comments (an overloaded function's, one paragraph
 * each), or those of what an undocumented `name: value` entry holds.
 */
function docLines(checker: ts.TypeChecker, symbol: ts.Symbol, depth = 0): string[] {
  const paragraphs: string[][] = [];
  for (const decl of symbol.declarations ?? []) {
    const doc = ts.getJSDocCommentsAndTags(decl).filter(ts.isJSDoc).at(-1);
    if (doc) paragraphs.push(bodyLines(doc.getText()));
    else if (ts.isPropertyAssignment(decl) && depth < 4) {
      const target = targetOf(checker, decl.initializer);
      if (target) paragraphs.push(docLines(checker, target, depth + 1));
    }
  }
  return paragraphs.filter((p) => p.length).flatMap((p, i) => (i ? ["", ...p] : p));
}

/**
 * For each named object exported by src/api/functions.ts, the doc comment of each of its
 * functions; an error names the ones without one.
 */
export function opDocComments(root: string, objects: readonly string[]): Map<string, Map<string, string>> {
  const configPath = join(root, "tsconfig.json");
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  )!;
  const file = join(root, "src/api/functions.ts");
  const program = ts.createProgram({ rootNames: [file], options: { ...config.options, noEmit: true } });
  const checker = program.getTypeChecker();
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!);
  const undocumented: string[] = [];
  const result = new Map<string, Map<string, string>>();
  for (const name of objects) {
    const object = exports.find((e) => e.name === name);
    if (!object) throw new Error(`op-docs: src/api/functions.ts exports no ${name}`);
    const docs = new Map<string, string>();
    for (const fn of checker.getPropertiesOfType(checker.getTypeOfSymbol(object))) {
      const lines = docLines(checker, fn);
      if (lines.length) docs.set(fn.name, docComment(lines));
      else undocumented.push(`${name}.${fn.name}`);
    }
    result.set(name, docs);
  }
  if (undocumented.length) throw new Error(`op-docs: no doc comment on ${undocumented.join(", ")}`);
  return result;
}
