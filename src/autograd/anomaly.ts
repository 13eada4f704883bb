// Anomaly detection: inside detectAnomaly, an op whose output gains a NaN, or a backward rule
// that returns NaN/Inf, fails at once, naming the op and where its forward was called.

import { setAnomalyMode } from "../graph/node.js";

/** Runs `fn` with anomaly detection on. */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = setAnomalyMode(true);
  try {
    return fn();
  } finally {
    setAnomalyMode(prev);
  }
}
