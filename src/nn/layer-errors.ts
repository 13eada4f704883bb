// Errors raised inside a layer's forward carry the layer's label, so an op failing deep in a model
// says which layer called it.

const labelledErrors = new WeakSet<Error>();

/**
 * An error from inside a layer's forward, its message led by the innermost layer's label, so a
 * failing op deep in a model says which layer called it ("Embedding(10, 3): …", not just
 * "indexSelect: …"). Errors that already name their layer are passed on unchanged.
 */
export function labelled(e: unknown, m: { label(): string }): unknown {
  if (!(e instanceof Error) || labelledErrors.has(e)) return e;
  const label = m.label();
  if (!e.message.startsWith(label)) {
    e.message = `${label}: ${e.message}`;
    const frames = e.stack?.indexOf("\n    at ") ?? -1;
    if (frames >= 0) e.stack = `${e.name}: ${e.message}${e.stack!.slice(frames)}`;
  }
  labelledErrors.add(e);
  return e;
}
