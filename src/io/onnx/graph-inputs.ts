/**
 * The graph's data inputs (graph inputs that are not stored tensors) with their shapes, and the batch: axis 0
 * of the first input. A concrete batch is the file's; a symbolic one reads as 1. Other symbolic dimensions
 * get a value once per symbol (the caller's, else the usual size of the role the axis plays), with a
 * warning, and the inputs they size are marked as guessed, so a contradiction they cause downstream is a
 * warning rather than an error.
 */
import type { Issue, PathSegment } from "../../util/issues.js";
import type { AnalyzedTensor, AnalyzeOptions } from "./analyze.js";
import type { GraphProto } from "./generated/onnx_pb.js";
import { isFloatType } from "./tensor-types.js";
import { type Declared, readDeclared, resolveDims } from "./value-info.js";

export type SymbolResolver = (
  symbol: string,
  axis: number,
  rank: number,
  elemType: number,
  where: readonly PathSegment[],
) => { value: number; guessed: boolean };

export interface GraphInputs {
  readonly inputs: readonly AnalyzedTensor[];
  readonly batch: number;
  readonly batchSymbol: string | undefined;
  readonly resolve: SymbolResolver;
}

/** The usual size of a symbolic axis by the role its position suggests (NCHW image side, token sequence). */
function typicalSize(rank: number, axis: number, elem: number): { value: number; role: string } {
  if (isFloatType(elem) && rank === 4 && axis >= 2) return { value: 224, role: "the usual image side" };
  if (axis === 1 && (rank === 2 || rank === 3)) return { value: 512, role: "the usual sequence length" };
  return { value: 1, role: "its role is unknown" };
}

export function readGraphInputs(
  graph: GraphProto,
  stored: ReadonlyMap<string, unknown>,
  file: string,
  options: AnalyzeOptions,
  issues: Issue[],
  warnings: Issue[],
): GraphInputs {
  const declaredInputs: Declared[] = [];
  graph.input.forEach((vi, i) => {
    if (stored.has(vi.name)) return; // IR < 4 lists initializers among the inputs
    const d = readDeclared(vi, file, ["graph", "input", i], issues);
    if (!d) {
      issues.push({
        code: "unsupported",
        message: `graph input ${JSON.stringify(vi.name)} is not a tensor with a declared type`,
        file,
        path: ["graph", "input", i],
        expected: "tensor_type",
      });
      return;
    }
    declaredInputs.push(d);
  });
  const first = declaredInputs.find((d) => d.dims && d.dims.length > 0)?.dims?.[0];
  const batchSymbol = typeof first === "object" ? first.symbol : undefined;
  const batch = typeof first === "number" && first >= 1 ? first : 1;
  // Symbolic dimensions other than the batch get a value once (the same symbol keeps it everywhere): the
  // caller's, else the usual size of the role the axis plays, flagged as a guess.
  const symbolValues = new Map<string, { value: number; guessed: boolean }>();
  const resolve: SymbolResolver = (symbol, axis, rank, elem, where) => {
    if (axis === 0 && (symbol === batchSymbol || symbol === "?")) return { value: batch, guessed: false };
    const known = symbolValues.get(symbol);
    if (known) return known;
    const given = options.dims?.[symbol];
    const typical = typicalSize(rank, axis, elem);
    const chosen = given !== undefined ? { value: given, guessed: false } : { value: typical.value, guessed: true };
    symbolValues.set(symbol, chosen);
    if (given === undefined) {
      warnings.push({
        code: "unsupported",
        message: `symbolic dimension ${JSON.stringify(symbol)} has no value; taken as ${typical.value} (${typical.role}); export with fixed shapes to plan the real size`,
        file,
        path: where,
        expected: "a fixed size",
        got: symbol,
      });
    }
    return chosen;
  };
  const inputs: AnalyzedTensor[] = [];
  for (const d of declaredInputs) {
    if (d.bad) {
      // Its bad dims are reported; it still exists, shape unknown, so its readers do not cascade.
      inputs.push({ name: d.name, elemType: d.elemType, isConst: false });
      continue;
    }
    if (!d.dims) {
      issues.push({
        code: "missing-field",
        message: `graph input ${JSON.stringify(d.name)} declares no shape`,
        file,
        path: d.path,
        expected: "a shape",
      });
      continue;
    }
    let guessedDims = false;
    const rank = d.dims.length;
    const shape =
      resolveDims(d.dims, (sym, axis) => {
        const r = resolve(sym, axis, rank, d.elemType, d.path);
        guessedDims ||= r.guessed;
        return r.value;
      }) ?? [];
    const d0 = d.dims[0];
    const batched = shape.length > 0 && (d0 === batch || (typeof d0 === "object" && d0.symbol === batchSymbol));
    const info: AnalyzedTensor = {
      name: d.name,
      elemType: d.elemType,
      shape,
      isConst: false,
      ...(batched ? { batchAxis: 0 } : {}),
      // A guessed size may not fit the operators (a pooling window larger than the guess): not the file's fault.
      ...(guessedDims ? { guessed: true } : {}),
    };
    inputs.push(info);
  }
  return { inputs, batch, batchSymbol, resolve };
}
