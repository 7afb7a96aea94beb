/**
 * Builds small ONNX models in tests with the generated schema (create + toBinary), so hostile variants
 * (cycles, missing tensors, contradicting shapes) are written exactly as a real encoder would write them.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import {
  AttributeProto_AttributeType as AT,
  type AttributeProto,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from "../../src/io/onnx/generated/onnx_pb.js";

export type AttrInput = number | readonly number[] | string | { readonly float: number };

function attr(name: string, v: AttrInput): AttributeProto {
  if (typeof v === "string")
    return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(v) });
  if (typeof v === "number") return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v) });
  if ("float" in v) return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v.float });
  return create(AttributeProtoSchema, { name, type: AT.INTS, ints: (v as readonly number[]).map(BigInt) });
}

export function node(
  opType: string,
  input: readonly string[],
  output: readonly string[],
  attrs: Readonly<Record<string, AttrInput>> = {},
  name = "",
): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    input: [...input],
    output: [...output],
    name,
    attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
  });
}

/** A weight of the given dims, data stripped (as in the fixtures); `int64Values` for small int tensors. */
export function tensor(
  name: string,
  dims: readonly number[],
  dataType = 1,
  int64Values?: readonly number[],
): TensorProto {
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType,
    ...(int64Values ? { int64Data: int64Values.map(BigInt) } : {}),
  });
}

export function valueInfo(name: string, dims: readonly (number | string)[], elemType = 1): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: {
      value: {
        case: "tensorType",
        value: {
          elemType,
          shape: {
            dim: dims.map((d) =>
              typeof d === "number"
                ? { value: { case: "dimValue" as const, value: BigInt(d) } }
                : { value: { case: "dimParam" as const, value: d } },
            ),
          },
        },
      },
    },
  });
}

export interface ModelParts {
  readonly nodes: readonly NodeProto[];
  readonly inputs: readonly ValueInfoProto[];
  readonly outputs: readonly ValueInfoProto[];
  readonly initializers?: readonly TensorProto[];
  readonly valueInfo?: readonly ValueInfoProto[];
  readonly opset?: number;
}

export function modelBytes(parts: ModelParts): Uint8Array {
  return toBinary(
    ModelProtoSchema,
    create(ModelProtoSchema, {
      irVersion: 8n,
      producerName: "dagpipe-test",
      opsetImport: [{ domain: "", version: BigInt(parts.opset ?? 14) }],
      graph: create(GraphProtoSchema, {
        name: "test",
        node: [...parts.nodes],
        input: [...parts.inputs],
        output: [...parts.outputs],
        initializer: [...(parts.initializers ?? [])],
        valueInfo: [...(parts.valueInfo ?? [])],
      }),
    }),
  );
}

/** A valid two-layer MLP, [1, 8] → linear 16 → relu → linear 4: the base the hostile variants edit. */
export function mlpParts(): ModelParts {
  return {
    nodes: [
      node("Gemm", ["x", "w1", "b1"], ["h"], { transB: 1 }, "fc1"),
      node("Relu", ["h"], ["r"], {}, "relu"),
      node("Gemm", ["r", "w2", "b2"], ["y"], { transB: 1 }, "fc2"),
    ],
    inputs: [valueInfo("x", [1, 8])],
    outputs: [valueInfo("y", [1, 4])],
    initializers: [tensor("w1", [16, 8]), tensor("b1", [16]), tensor("w2", [4, 16]), tensor("b2", [4])],
  };
}
