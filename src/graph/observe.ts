// Observation points the engine exposes. explain/ subscribes here; the engine never imports it.

import type { TensorBase } from "../tensor/tensor.js";
import type { Node } from "./node.js";

/** What an op did in the forward pass. */
export interface ForwardEvent {
  /** The op's name, as in the op table. */
  op: string;
  /** The tensors it was called with. */
  inputs: TensorBase[];
  /** The tensor it made. */
  output: TensorBase;
  /** Its attributes (dims, options), as the op declares them. */
  attrs: unknown;
  /** The node it recorded; null when no gradient was needed. */
  node: Node | null;
}

/** What a node did in the backward pass. */
export interface BackwardEvent {
  /** The node that ran. */
  node: Node;
  /** The gradients of its outputs, as it received them. */
  gradOutputs: TensorBase[];
  /** The gradients it computed for its inputs; null where an input needs none. */
  gradInputs: (TensorBase | null)[];
}

/** A subscriber to forward and backward events. */
export interface Observer {
  /** Called after each recorded op. */
  forward?(e: ForwardEvent): void;
  /** Called after each node's backward rule. */
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
