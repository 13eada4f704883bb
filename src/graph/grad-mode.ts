// Grad mode: whether ops record graph nodes. A process-wide flag, restored on every exit path.

let enabled = true;

/** True when ops record the graph. */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Sets grad mode and returns the previous value. */
export function setGradEnabled(on: boolean): boolean {
  const prev = enabled;
  enabled = on;
  return prev;
}

/** Runs `fn` with grad mode set to `on`, restoring it afterwards. */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = setGradEnabled(on);
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/**
 * Runs `fn` without recording the graph (optimizer steps, evaluation).
 *
 * @example
 * const accuracy = cr.noGrad(() => model.call(x).argmax(1).eq(y).float().mean().item());
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` recording the graph even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
