// The few ops the backward engine itself needs, gathered so the engine imports one module.

export { add } from "./elementwise.js";
export { sumToShape, castTo as toDtype } from "./reduce.js";
