/**
 * ONNX bytes → the decoded `ModelProto` (generated code, `@bufbuild/protobuf`), or one issue naming the
 * byte offset and field path where the file stops being ONNX.
 *
 * Weights are never copied: the decoder returns `raw_data` as views into `bytes` (subarray), so a 400 MB
 * model costs its file buffer plus the graph structure. Unknown fields (from IR versions newer than the
 * vendored schema) are skipped rather than kept.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { fail, type Issue, ok, type Result } from "../../util/issues.js";
import { type ModelProto, ModelProtoSchema } from "./generated/onnx_pb.js";
import { checkWire } from "./wire-check.js";

export function decodeOnnxModel(bytes: Uint8Array, file: string): Result<ModelProto> {
  if (bytes.length === 0) {
    return fail([{ code: "parse-error", message: "the file is empty", file, path: [], expected: "an ONNX model" }]);
  }
  const problem = checkWire(bytes, ModelProtoSchema);
  if (problem) {
    return fail([
      {
        code: "parse-error",
        message: `not a readable ONNX model at byte ${problem.offset}: ${problem.message}`,
        file,
        path: problem.path,
        expected: "ONNX protobuf (ModelProto)",
        got: `byte offset ${problem.offset}`,
      },
    ]);
  }
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes, { readUnknownFields: false });
  } catch (e) {
    // The structural pass accepted the bytes, so this is a value the decoder rejects (e.g. a varint that
    // overflows its type); it has no position, the whole file is the place.
    return fail([
      {
        code: "parse-error",
        message: `not a readable ONNX model: ${(e as Error).message}`,
        file,
        path: [],
        expected: "ONNX protobuf (ModelProto)",
      },
    ]);
  }
  const issues: Issue[] = [];
  if (!model.graph) {
    issues.push({
      code: "missing-field",
      message: "the model has no graph",
      file,
      path: ["graph"],
      expected: "ModelProto.graph",
    });
  } else if (model.graph.node.length === 0) {
    issues.push({ code: "empty-graph", message: "the model's graph has no nodes", file, path: ["graph", "node"] });
  }
  return issues.length > 0 ? fail(issues) : ok(model);
}
