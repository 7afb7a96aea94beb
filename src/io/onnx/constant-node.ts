/**
 * The value of a `Constant` node, from whichever attribute holds it (value, value_float(s), value_int(s),
 * value_string(s), sparse_value). Real files keep whole weight tensors here (paddle2onnx writes no
 * initializers at all), so its size counts like an initializer's.
 */
import type { Issue, PathSegment } from "../../util/issues.js";
import { type ConstTensor, readConstTensor, readDims } from "./const-tensor.js";
import type { AttributeProto } from "./generated/onnx_pb.js";
import { NodeError } from "./node-attrs.js";
import { ONNX_FLOAT, ONNX_INT64, ONNX_STRING } from "./tensor-types.js";

export function constantValue(
  attributes: readonly AttributeProto[],
  file: string,
  nodePath: readonly PathSegment[],
  issues: Issue[],
): ConstTensor | undefined {
  const index = attributes.findIndex((a) => a.name.startsWith("value") || a.name === "sparse_value");
  const a = attributes[index];
  if (!a) throw new NodeError("Constant has no value attribute", "missing-field", ["attribute"], "value");
  const path = [...nodePath, "attribute", index];
  switch (a.name) {
    case "value":
      if (!a.t) throw new NodeError("Constant value is not a tensor", "invalid-type", ["attribute", index], "tensor");
      return readConstTensor(a.t, file, [...path, "t"], issues);
    case "sparse_value": {
      const dims = readDims(a.sparseTensor?.dims ?? [], file, [...path, "sparse_tensor", "dims"], issues);
      const values = a.sparseTensor?.values;
      if (!dims || !values) return undefined;
      return { elemType: values.dataType, dims, numel: dims.reduce((x, y) => x * y, 1) };
    }
    case "value_float":
      return { elemType: ONNX_FLOAT, dims: [], numel: 1, values: [a.f] };
    case "value_floats":
      return { elemType: ONNX_FLOAT, dims: [a.floats.length], numel: a.floats.length, values: a.floats };
    case "value_int":
      return { elemType: ONNX_INT64, dims: [], numel: 1, values: [Number(a.i)] };
    case "value_ints":
      return { elemType: ONNX_INT64, dims: [a.ints.length], numel: a.ints.length, values: a.ints.map(Number) };
    case "value_string":
      return { elemType: ONNX_STRING, dims: [], numel: 1 };
    case "value_strings":
      return { elemType: ONNX_STRING, dims: [a.strings.length], numel: a.strings.length };
    default:
      throw new NodeError(`Constant attribute ${a.name} is not one ONNX defines`, "invalid-value", [
        "attribute",
        index,
      ]);
  }
}
