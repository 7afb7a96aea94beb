/**
 * A stored tensor (initializer or Constant value) as the importer needs it: element type, dims, element
 * count and, for small tensors only, the values (Reshape targets, Slice bounds, scalars). Large tensors are
 * weights: only their size matters, and their data is never read — which is also why weight-stripped files
 * (data removed, dims kept) load the same as full ones.
 */
import type { Issue, PathSegment } from "../../util/issues.js";
import type { TensorProto } from "./generated/onnx_pb.js";
import {
  elemType,
  ONNX_BOOL,
  ONNX_DOUBLE,
  ONNX_FLOAT,
  ONNX_FLOAT16,
  ONNX_INT8,
  ONNX_INT16,
  ONNX_INT32,
  ONNX_INT64,
  ONNX_UINT8,
  ONNX_UINT16,
  ONNX_UINT32,
  ONNX_UINT64,
  storageBytes,
} from "./tensor-types.js";

/** Tensors up to this many elements have their values read; shape arithmetic never needs more. */
export const VALUE_LIMIT = 4096;

export interface ConstTensor {
  readonly elemType: number;
  readonly dims: readonly number[];
  readonly numel: number;
  /** Known values (int64 as numbers), only for tensors of at most VALUE_LIMIT elements with data present. */
  readonly values?: readonly number[];
}

/** Largest element count the importer accepts: beyond this, numbers stop being exact in a double. */
const MAX_NUMEL = 2 ** 48;

/** A dims list as numbers, with an issue per entry that is negative or too large to be real. */
export function readDims(
  dims: readonly bigint[],
  file: string,
  path: readonly PathSegment[],
  issues: Issue[],
): number[] | undefined {
  const out: number[] = [];
  let ok = true;
  dims.forEach((d, i) => {
    if (d < 0n || d > BigInt(MAX_NUMEL)) {
      issues.push({
        code: "bad-number",
        message: `dimension ${d} is ${d < 0n ? "negative" : "too large"}`,
        file,
        path: [...path, i],
        expected: `an integer in [0, 2^48]`,
        got: String(d),
      });
      ok = false;
    }
    out.push(Number(d));
  });
  return ok ? out : undefined;
}

function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

function rawValues(raw: Uint8Array, type: number, numel: number): number[] | undefined {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = new Array(numel);
  for (let i = 0; i < numel; i++) {
    switch (type) {
      case ONNX_FLOAT:
        out[i] = view.getFloat32(i * 4, true);
        break;
      case ONNX_DOUBLE:
        out[i] = view.getFloat64(i * 8, true);
        break;
      case ONNX_INT64:
        out[i] = Number(view.getBigInt64(i * 8, true));
        break;
      case ONNX_UINT64:
        out[i] = Number(view.getBigUint64(i * 8, true));
        break;
      case ONNX_INT32:
        out[i] = view.getInt32(i * 4, true);
        break;
      case ONNX_UINT32:
        out[i] = view.getUint32(i * 4, true);
        break;
      case ONNX_INT16:
        out[i] = view.getInt16(i * 2, true);
        break;
      case ONNX_UINT16:
        out[i] = view.getUint16(i * 2, true);
        break;
      case ONNX_INT8:
        out[i] = view.getInt8(i);
        break;
      case ONNX_UINT8:
      case ONNX_BOOL:
        out[i] = view.getUint8(i);
        break;
      case ONNX_FLOAT16:
        out[i] = halfToNumber(view.getUint16(i * 2, true));
        break;
      default:
        return undefined;
    }
  }
  return out;
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** The values stored in the typed (non-raw) field that ONNX assigns to this element type. */
function typedValues(t: TensorProto): readonly (number | bigint)[] {
  switch (t.dataType) {
    case ONNX_FLOAT:
      return t.floatData;
    case ONNX_DOUBLE:
      return t.doubleData;
    case ONNX_INT64:
      return t.int64Data;
    case ONNX_UINT32:
    case ONNX_UINT64:
      return t.uint64Data;
    case ONNX_FLOAT16:
      return t.int32Data.map(halfToNumber);
    default:
      return t.int32Data;
  }
}

/**
 * Reads a TensorProto. Issues: negative or absurd dims, an unknown element type, and data whose length
 * contradicts the dims (a file that says one size and holds another). Absent data is not an issue: the
 * tensor is stripped or stored externally, and its size is what the dims say.
 */
export function readConstTensor(
  t: TensorProto,
  file: string,
  path: readonly PathSegment[],
  issues: Issue[],
): ConstTensor | undefined {
  const before = issues.length;
  const dims = readDims(t.dims, file, [...path, "dims"], issues);
  const type = elemType(t.dataType);
  if (!type) {
    issues.push({
      code: "invalid-value",
      message: `unknown tensor element type ${t.dataType}`,
      file,
      path: [...path, "data_type"],
      expected: "an ONNX TensorProto.DataType (1..23)",
      got: String(t.dataType),
    });
  }
  if (!dims || !type) return undefined;
  const numel = product(dims);
  if (numel > MAX_NUMEL) {
    issues.push({
      code: "bad-number",
      message: `tensor of ${numel} elements is larger than any real model`,
      file,
      path: [...path, "dims"],
      expected: "at most 2^48 elements",
      got: String(numel),
    });
    return undefined;
  }
  let values: readonly number[] | undefined;
  if (t.rawData.length > 0) {
    const want = storageBytes(t.dataType, numel);
    if (type.bits > 0 && t.rawData.length !== want) {
      issues.push({
        code: "shape-mismatch",
        message: `raw_data holds ${t.rawData.length} bytes but dims ${JSON.stringify(dims)} of ${type.name} need ${want}`,
        file,
        path: [...path, "raw_data"],
        expected: `${want} bytes`,
        got: `${t.rawData.length} bytes`,
      });
    } else if (numel <= VALUE_LIMIT) {
      values = rawValues(t.rawData, t.dataType, numel);
    }
  } else {
    const typed = typedValues(t);
    if (typed.length > 0) {
      const perElem = t.dataType === 14 || t.dataType === 15 ? 2 : 1;
      if (typed.length !== numel * perElem) {
        issues.push({
          code: "shape-mismatch",
          message: `tensor holds ${typed.length} values but dims ${JSON.stringify(dims)} need ${numel * perElem}`,
          file,
          path,
          expected: `${numel * perElem} values`,
          got: `${typed.length} values`,
        });
      } else if (numel <= VALUE_LIMIT && perElem === 1) {
        values = typed.map(Number);
      }
    }
  }
  if (issues.length > before) return undefined;
  return values ? { elemType: t.dataType, dims, numel, values } : { elemType: t.dataType, dims, numel };
}
