/**
 * ONNX tensor element types (TensorProto.DataType) and their sizes. The numbers are the enum values of
 * onnx.proto; types added after the vendored schema (IR 9+: float8, 4-bit, 2-bit) arrive as plain
 * numbers and are sized here too, so newer files still load.
 */

export interface ElemType {
  readonly name: string;
  /** Storage bits per element (4 for int4; 0 for strings, whose size is not fixed). */
  readonly bits: number;
  readonly float: boolean;
}

export const ONNX_FLOAT = 1;
export const ONNX_UINT8 = 2;
export const ONNX_INT8 = 3;
export const ONNX_UINT16 = 4;
export const ONNX_INT16 = 5;
export const ONNX_INT32 = 6;
export const ONNX_INT64 = 7;
export const ONNX_STRING = 8;
export const ONNX_BOOL = 9;
export const ONNX_FLOAT16 = 10;
export const ONNX_DOUBLE = 11;
export const ONNX_UINT32 = 12;
export const ONNX_UINT64 = 13;
export const ONNX_COMPLEX64 = 14;
export const ONNX_COMPLEX128 = 15;
export const ONNX_BFLOAT16 = 16;

const TYPES: Readonly<Record<number, ElemType>> = {
  1: { name: "float32", bits: 32, float: true },
  2: { name: "uint8", bits: 8, float: false },
  3: { name: "int8", bits: 8, float: false },
  4: { name: "uint16", bits: 16, float: false },
  5: { name: "int16", bits: 16, float: false },
  6: { name: "int32", bits: 32, float: false },
  7: { name: "int64", bits: 64, float: false },
  8: { name: "string", bits: 0, float: false },
  9: { name: "bool", bits: 8, float: false },
  10: { name: "float16", bits: 16, float: true },
  11: { name: "float64", bits: 64, float: true },
  12: { name: "uint32", bits: 32, float: false },
  13: { name: "uint64", bits: 64, float: false },
  14: { name: "complex64", bits: 64, float: true },
  15: { name: "complex128", bits: 128, float: true },
  16: { name: "bfloat16", bits: 16, float: true },
  17: { name: "float8e4m3fn", bits: 8, float: true },
  18: { name: "float8e4m3fnuz", bits: 8, float: true },
  19: { name: "float8e5m2", bits: 8, float: true },
  20: { name: "float8e5m2fnuz", bits: 8, float: true },
  21: { name: "uint4", bits: 4, float: false },
  22: { name: "int4", bits: 4, float: false },
  23: { name: "float4e2m1", bits: 4, float: true },
};

/** The element type of an ONNX type number, or undefined for 0 (UNDEFINED) and numbers no ONNX defines. */
export function elemType(code: number): ElemType | undefined {
  return TYPES[code];
}

export function isFloatType(code: number): boolean {
  return TYPES[code]?.float ?? false;
}

/** Bytes that `numel` elements of `code` take in storage (rounded up for sub-byte types). */
export function storageBytes(code: number, numel: number): number {
  const bits = TYPES[code]?.bits ?? 0;
  return Math.ceil((numel * bits) / 8);
}
