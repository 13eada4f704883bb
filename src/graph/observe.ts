// Observation points the engine exposes. explain/ subscribes here; the engine never imports it.

import type { TensorBase } from "../tensor/tensor.js";
import type { Node } from "./node.js";

/** What an op did in the forward pass. */
export interface ForwardEvent {
  op: string;
  inputs: TensorBase[];
  output: TensorBase;
  attrs: unknown;
  node: Node | null;
}

/** What a node did in the backward pass. */
export interface BackwardEvent {
  node: Node;
  gradOutputs: TensorBase[];
  gradInputs: (TensorBase | null)[];
}

/** A subscriber to forward and backward events. */
export interface Observer {
  forward?(e: ForwardEvent): void;
  backward?(e: BackwardEvent): void;
}

/** @internal the current subscribers; empty almost always, so checks are one length test. */
export const observers: Observer[] = [];

/** Subscribes for the duration of `fn`. */
export function observe<T>(observer: Observer, fn: () => T): T {
  observers.push(observer);
  try {
    return fn();
  } finally {
    observers.splice(observers.indexOf(observer), 1);
  }
}
