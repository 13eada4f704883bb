// Scopes label the ops recorded while they are open with a module path ("0", "encoder.fc1"), so a
// trace can group its steps by layer. nn modules get one automatically when traced with
// { model }; plain tensor code opens them by hand with cr.explain.scope("hidden", () => ...).

const stack: string[] = [];

/** The innermost open scope's path, or undefined outside any scope. */
export function currentScope(): string | undefined {
  return stack[stack.length - 1];
}

/** Runs `fn` with ops labelled `name`, nested under the current scope ("hidden" inside "net" is "net.hidden"). */
export function scope<T>(name: string, fn: () => T): T {
  const parent = currentScope();
  return withScopePath(parent ? `${parent}.${name}` : name, fn);
}

/** Runs `fn` inside the scope with the full path `path` (how module paths are entered). */
export function withScopePath<T>(path: string, fn: () => T): T {
  stack.push(path);
  try {
    return fn();
  } finally {
    stack.pop();
  }
}

/** A module as explain sees it: anything with named submodules or named parameters. */
export interface ModuleLike {
  /** (path, parameter) pairs, as nn.Module gives them. */
  namedParameters?(): Iterable<[string, unknown]>;
  /** (path, module) pairs of every submodule, the root first. */
  namedModules?(): Iterable<[string, unknown]>;
  /** (name, module) pairs of the direct submodules. */
  namedChildren?(): Iterable<[string, unknown]>;
  /** The module's forward, when it has one. */
  forward?: (...args: never[]) => unknown;
}

/** Every submodule with its path ("" for the root), from namedModules() or namedChildren() recursively. */
export function modulesOf(model: ModuleLike): [string, ModuleLike][] {
  if (typeof model.namedModules === "function") return [...model.namedModules()] as [string, ModuleLike][];
  const out: [string, ModuleLike][] = [];
  const walk = (m: ModuleLike, path: string) => {
    out.push([path, m]);
    if (typeof m.namedChildren !== "function") return;
    for (const [name, child] of m.namedChildren()) walk(child as ModuleLike, path ? `${path}.${name}` : name);
  };
  walk(model, "");
  return out;
}

/**
 * Wraps the forward of every submodule of `model` so that its ops are recorded under its path;
 * returns a function that restores the original forwards.
 */
export function instrumentModules(model: ModuleLike): () => void {
  const restore: (() => void)[] = [];
  for (const [path, m] of modulesOf(model)) {
    if (!path || typeof m.forward !== "function") continue;
    const own = Object.prototype.hasOwnProperty.call(m, "forward");
    const original = m.forward;
    const wrapped = function (this: unknown, ...args: never[]) {
      return withScopePath(path, () => original.apply(this, args));
    };
    (m as { forward: unknown }).forward = wrapped;
    restore.push(() => {
      if (own) (m as { forward: unknown }).forward = original;
      else delete (m as { forward?: unknown }).forward;
    });
  }
  return () => restore.reverse().forEach((r) => r());
}
