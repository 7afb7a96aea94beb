/**
 * Shapes the file declares (value_info, graph outputs), read once: they give unknown operators their output
 * shapes and are checked against what the operators produce.
 */
import type { Issue } from "../../util/issues.js";
import type { AnalyzedTensor } from "./analyze.js";
import type { GraphProto } from "./generated/onnx_pb.js";
import { type Declared, readDeclared } from "./value-info.js";

export function readDeclaredShapes(graph: GraphProto, file: string, issues: Issue[]): Map<string, Declared> {
  const declared = new Map<string, Declared>();
  graph.valueInfo.forEach((vi, i) => {
    const d = readDeclared(vi, file, ["graph", "value_info", i], issues);
    if (d && !d.bad) declared.set(d.name, d);
  });
  graph.output.forEach((vi, i) => {
    const d = readDeclared(vi, file, ["graph", "output", i], issues);
    if (d && !d.bad) declared.set(d.name, d);
  });
  return declared;
}

/**
 * Declared shapes (value_info, graph outputs) against inferred ones. A concrete declared dim that
 * differs is a self-contradictory file, unless the inferred shape was guessed after an unknown operator.
 */
export function checkDeclared(
  declared: ReadonlyMap<string, Declared>,
  tensors: ReadonlyMap<string, AnalyzedTensor>,
  batch: number,
  batchSymbol: string | undefined,
  file: string,
  issues: Issue[],
  warnings: Issue[],
): void {
  for (const d of declared.values()) {
    const got = tensors.get(d.name);
    if (!d.dims || !got?.shape) continue;
    const dims = d.dims;
    const inferred = got.shape;
    const differs =
      dims.length !== inferred.length ||
      dims.some((dim, i) => typeof dim === "number" && dim !== inferred[i] && !(i === got.batchAxis && dim === batch));
    if (!differs) continue;
    const show = dims.map((x) => (typeof x === "number" ? String(x) : x.symbol === batchSymbol ? "batch" : x.symbol));
    (got.guessed ? warnings : issues).push({
      code: "shape-mismatch",
      message: `${JSON.stringify(d.name)} is declared [${show.join(", ")}] but its operator produces [${inferred.join(", ")}]`,
      file,
      path: [...d.path],
      expected: `[${inferred.join(", ")}]`,
      got: `[${show.join(", ")}]`,
    });
  }
}
