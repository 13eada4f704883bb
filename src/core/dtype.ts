// Data types and PyTorch's type promotion. Storage for each dtype is a typed array on the
// reference backend; other backends mirror the same element widths.

/** The element types chainrule supports. */
export type DType = "float32" | "float64" | "int32" | "bool";

/** Typed array holding any dtype's elements. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** The typed-array constructor that stores a dtype. */
export function arrayType(dtype: DType) {
  switch (dtype) {
    case "float32":
      return Float32Array;
    case "float64":
      return Float64Array;
    case "int32":
      return Int32Array;
    case "bool":
      return Uint8Array;
  }
}

/** Allocates a zero-filled typed array for `dtype`. */
export function allocArray(dtype: DType, size: number): TypedArray {
  return new (arrayType(dtype))(size);
}

/** True for dtypes that can carry gradients. */
export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

const rank: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The dtype two tensor operands promote to (bool < int32 < float32 < float64). */
export function promoteTypes(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}

/**
 * The dtype of `tensor op scalar`. As in PyTorch a plain number is "weak": it never widens a
 * tensor of the same category, so float32 + 1.5 stays float32, but int32 + 1.5 becomes float32.
 */
export function promoteWithScalar(t: DType, value: number | boolean): DType {
  if (typeof value === "boolean") return t;
  if (isFloat(t)) return t;
  if (!Number.isInteger(value)) return "float32";
  return t === "bool" ? "int32" : t;
}

/** Checks a dtype name given by a user. */
export function checkDType(dtype: string, where: string): DType {
  if (dtype in rank) return dtype as DType;
  throw new TypeError(`${where}: unknown dtype '${dtype}'; expected float32, float64, int32 or bool`);
}
