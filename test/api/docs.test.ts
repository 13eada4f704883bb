// The docs users read: every export of the package, down through its namespaces, and every
// member of its classes and interfaces (Tensor's methods made from the op functions among them)
// has a doc comment in the declarations the package ships, which is what an editor's hover and
// TypeDoc show. The declarations are emitted in memory and read back as an installed package's
// user reads them; what is stripped from them (@internal) must be what is meant to be.

import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Members left out of the shipped declarations although their names carry no underscore. */
const INTERNAL_BY_NAME = new Set(["TensorBase.constructor", "explain.Trace.byTensor"]);

/** A public name (a dotted path from the package) and its doc comment; null where none is due. */
interface Item {
  path: string;
  doc: string | null;
}

const text = (checker: ts.TypeChecker, symbol: ts.Symbol) =>
  ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();

/** The doc comment written on a declaration itself: `export * as nn` has no symbol that carries it. */
const ownDoc = (node: ts.Node) =>
  ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
    .join("")
    .trim();

const isPrivate = (symbol: ts.Symbol) =>
  (symbol.declarations ?? []).some((d) => ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Private);

/** Every public name reachable from the module `entry`, and its doc, as `program` sees them. */
function publicItems(program: ts.Program, entry: string): Item[] {
  const checker = program.getTypeChecker();
  const ours = (s: ts.Symbol) => (s.declarations ?? []).some((d) => d.getSourceFile().fileName.startsWith(root));
  const items: Item[] = [];
  const seen = new Set<ts.Symbol>();

  const members = (path: string, props: ts.Symbol[]) => {
    for (const p of props) {
      if (p.name === "prototype" || p.name.startsWith("__") || isPrivate(p) || !ours(p)) continue;
      items.push({ path: `${path}.${p.name}`, doc: text(checker, p) });
    }
  };

  const visitModule = (module: ts.Symbol, prefix: string) => {
    for (const e of checker.getExportsOfModule(module)) {
      const path = prefix + e.name;
      const target = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
      if (target.declarations?.some(ts.isSourceFile)) {
        const decl = e.declarations?.[0];
        items.push({ path, doc: decl ? ownDoc(ts.isNamespaceExport(decl) ? decl.parent : decl) : "" });
        if (!seen.has(target)) visitModule(target, `${path}.`);
        seen.add(target);
        continue;
      }
      items.push({ path, doc: text(checker, e) || text(checker, target) });
      if (seen.has(target)) continue;
      seen.add(target);
      if (target.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) {
        members(path, checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target)));
        if (target.flags & ts.SymbolFlags.Class) {
          members(path, checker.getPropertiesOfType(checker.getTypeOfSymbol(target)));
          const ctor = target.members?.get(ts.InternalSymbolName.Constructor);
          if (ctor) items.push({ path: `${path}.constructor`, doc: null });
        }
      } else if (target.flags & ts.SymbolFlags.TypeAlias) {
        const decl = target.declarations?.find(ts.isTypeAliasDeclaration);
        if (decl && ts.isTypeLiteralNode(decl.type))
          members(path, checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target)));
      }
    }
  };
  visitModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!, "");
  return items;
}

let config: ts.ParsedCommandLine;
let source: Item[];
let shipped: Item[];

before(() => {
  config = ts.getParsedCommandLineOfConfigFile(
    join(root, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    },
  )!;
  const options = { ...config.options, emitDeclarationOnly: true, sourceMap: false, declarationMap: false };
  const program = ts.createProgram({ rootNames: config.fileNames, options });
  const emitted = new Map<string, string>();
  program.emit(undefined, (file, text) => emitted.set(resolve(file), text), undefined, true);
  source = publicItems(program, join(root, "src/index.ts"));

  // the package as its users see it: only the emitted declarations, under dist/
  const outDir = resolve(options.outDir!);
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  const inDist = (f: string) => resolve(f).startsWith(`${outDir}/`);
  // dist/ need not exist on disk (a fresh clone has not been built): module resolution asks for it
  host.directoryExists = (d) => resolve(d) === outDir || inDist(d) || (directoryExists?.(d) ?? true);
  host.fileExists = (f) => emitted.has(resolve(f)) || (!inDist(f) && fileExists(f));
  host.readFile = (f) => emitted.get(resolve(f)) ?? (inDist(f) ? undefined : readFile(f));
  host.getSourceFile = (f, v, ...rest) =>
    emitted.has(resolve(f)) ? ts.createSourceFile(f, emitted.get(resolve(f))!, v) : getSourceFile(f, v, ...rest);
  const entry = join(outDir, "index.d.ts");
  shipped = publicItems(ts.createProgram({ rootNames: [entry], options: { ...options, noEmit: true }, host }), entry);
});

describe("the shipped declarations", () => {
  test("leave out what is marked @internal", () => {
    assert.equal(config.options.stripInternal, true);
  });

  test("document every export of the package and every member of its classes and interfaces", () => {
    assert.ok(shipped.length > 1000, `only ${shipped.length} public names: the walk lost its way`);
    const undocumented = shipped.filter((i) => i.doc === "").map((i) => i.path);
    assert.deepEqual(undocumented, [], `no doc comment on: ${undocumented.join(", ")}`);
  });

  test("give every Tensor method made from an op function its op's doc", () => {
    const doc = (path: string) => shipped.find((i) => i.path === path)?.doc;
    const methods = shipped.filter((i) => i.path.startsWith("Tensor."));
    assert.ok(methods.length > 150, `Tensor has ${methods.length} members`);
    // one from each source of methods: a unary and a binary kernel, methodOps, and the renamed var
    for (const name of ["neg", "mul", "sum", "var"]) {
      assert.ok(doc(`Tensor.${name}`), `Tensor.${name}`);
      assert.equal(doc(`Tensor.${name}`), doc(name), `Tensor.${name} and cr.${name} share a doc`);
    }
  });

  test("hold no underscored member, and lose nothing else that the sources make public", () => {
    const kept = new Set(shipped.map((i) => i.path));
    const underscored = shipped.filter((i) => /(^|\.)_/.test(i.path)).map((i) => i.path);
    assert.deepEqual(underscored, [], `not marked @internal: ${underscored.join(", ")}`);
    const lost = source
      .map((i) => i.path)
      .filter((p) => !kept.has(p) && !/(^|\.)_/.test(p) && !INTERNAL_BY_NAME.has(p));
    assert.deepEqual(lost, [], `marked @internal but public: ${lost.join(", ")}`);
  });
});
