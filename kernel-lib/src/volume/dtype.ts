import { ERROR_CODES, TomolyteError } from "../errors";

/** Voxel element types tomolyte stores. 64-bit integers are read as float64 (see io/). */
export type DType = "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64";

export type VoxelArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** The typed arrays allowed in a label volume. */
export type LabelArray = Uint8Array | Uint16Array | Uint32Array;

export const DTYPES: readonly DType[] = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"];

type ArrayCtor = {
  new (length: number): VoxelArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): VoxelArray;
  readonly BYTES_PER_ELEMENT: number;
};

const CTORS: Record<DType, ArrayCtor> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** Range of values each integer dtype can hold (floats: ±Infinity). */
export const DTYPE_RANGE: Record<DType, readonly [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
  float32: [-Infinity, Infinity],
  float64: [-Infinity, Infinity],
};

/**
 * The dtype of a typed array.
 *
 * @example
 * dtypeOf(new Uint16Array(4)) // "uint16"
 */
export function dtypeOf(a: VoxelArray): DType {
  if (a instanceof Uint8Array) return "uint8";
  if (a instanceof Int8Array) return "int8";
  if (a instanceof Uint16Array) return "uint16";
  if (a instanceof Int16Array) return "int16";
  if (a instanceof Uint32Array) return "uint32";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  throw new TomolyteError(
    ERROR_CODES.UNSUPPORTED_DTYPE,
    `unsupported voxel array type ${Object.prototype.toString.call(a)}; use one of ${DTYPES.join(", ")}`,
  );
}

/** Bytes per voxel of a dtype. @example bytesPerVoxel("float32") // 4 */
export function bytesPerVoxel(dtype: DType): number {
  return ctorOf(dtype).BYTES_PER_ELEMENT;
}

/** True for float32 and float64. @example isFloatDType("uint8") // false */
export function isFloatDType(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** Throws UNSUPPORTED_DTYPE unless `name` is a known dtype. @example assertDType("uint8") */
export function assertDType(name: string): DType {
  if (!(DTYPES as readonly string[]).includes(name)) {
    throw new TomolyteError(ERROR_CODES.UNSUPPORTED_DTYPE, `unsupported dtype "${name}"; use one of ${DTYPES.join(", ")}`);
  }
  return name as DType;
}

/** The constructor of a dtype's typed array. @example new (ctorOf("uint8"))(10) */
export function ctorOf(dtype: DType): ArrayCtor {
  const c = CTORS[dtype];
  if (!c) assertDType(dtype);
  return c;
}
