/**
 * `readOnnx(bytes, file)`: an ONNX model file → a dagpipe Graph with per-sample shapes and costs, or the
 * issues that say why not (each naming the file and the place: a byte offset and protobuf field path for
 * a broken file, `graph.node[12].input[1]` for a wrong one). Pure: no file access, runs in a browser.
 */
import { buildGraph } from "../../graph/op-kinds/index.js";
import type { Dtype, Graph } from "../../graph/types.js";
import { fail, type Issue, ok, type Result } from "../../util/issues.js";
import { type AnalyzeOptions, analyzeOnnx } from "./analyze.js";
import { decodeOnnxModel } from "./decode-model.js";
import { ONNX_BFLOAT16, ONNX_FLOAT16 } from "./tensor-types.js";
import { toOpSpecs } from "./to-op-specs.js";

export interface OnnxReadOptions extends AnalyzeOptions {
  /** Training dtype of the graph; default: the file's own floating-point type (float32 → fp32). */
  readonly dtype?: Dtype;
}

function dtypeOf(onnxType: number): Dtype {
  if (onnxType === ONNX_FLOAT16) return "fp16";
  if (onnxType === ONNX_BFLOAT16) return "bf16";
  return "fp32";
}

function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/\.onnx$/i, "") || "onnx-model";
}

export function readOnnx(bytes: Uint8Array, file: string, options: OnnxReadOptions = {}): Result<Graph> {
  const decoded = decodeOnnxModel(bytes, file);
  if (!decoded.ok) return decoded;
  const model = decoded.value;
  const { analysis, issues, warnings } = analyzeOnnx(model, file, options);
  if (issues.length > 0) return fail(issues);
  const dtype = options.dtype ?? dtypeOf(analysis.floatType);
  const { specs } = toOpSpecs(analysis, dtype);
  const producer = [model.producerName, model.producerVersion].filter((s) => s !== "").join(" ");
  // Exporters name graphs generically ("torch_jit", "main_graph"): the file names the model better.
  const built = buildGraph(baseName(file), dtype, specs, {
    format: "onnx",
    file,
    ...(model.graph?.name ? { graphName: model.graph.name } : {}),
    opset: analysis.opset,
    batchInFile: analysis.batch,
    ...(producer ? { producer } : {}),
  });
  if (!built.ok) {
    // The ONNX checks passed, so what is left is a graph dagpipe cannot express; say where in dagpipe terms.
    return fail(built.issues.map((i): Issue => ({ ...i, file })));
  }
  return ok(built.value, warnings);
}
