/**
 * Declared tensor types (graph inputs, outputs and value_info): element type and dims, where a dim is a
 * number, a symbol (`"batch"`, from dim_param) or unknown.
 */
import type { Issue, PathSegment } from "../../util/issues.js";
import type { ValueInfoProto } from "./generated/onnx_pb.js";

export type DeclaredDim = number | { readonly symbol: string };

export interface Declared {
  readonly name: string;
  readonly elemType: number;
  /** Undefined when the file declares no shape (rank unknown). */
  readonly dims?: readonly DeclaredDim[];
  readonly path: readonly PathSegment[];
  /** Some dim was invalid (already reported); the shape stays unknown. */
  readonly bad?: boolean;
}

export function readDeclared(
  vi: ValueInfoProto,
  file: string,
  path: readonly PathSegment[],
  issues: Issue[],
): Declared | undefined {
  const type = vi.type?.value;
  if (type?.case !== "tensorType") return undefined;
  const tensor = type.value;
  if (!tensor.shape) return { name: vi.name, elemType: tensor.elemType, path };
  const dims: DeclaredDim[] = [];
  let ok = true;
  tensor.shape.dim.forEach((d, i) => {
    if (d.value.case === "dimValue") {
      const v = d.value.value;
      if (v < 0n || v > 2n ** 48n) {
        issues.push({
          code: "bad-number",
          message: `dimension ${v} of ${JSON.stringify(vi.name)} is ${v < 0n ? "negative" : "too large"}`,
          file,
          path: [...path, "type", "tensor_type", "shape", "dim", i],
          expected: "an integer in [0, 2^48]",
          got: String(v),
        });
        ok = false;
      }
      dims.push(Number(v));
    } else {
      dims.push({ symbol: d.value.case === "dimParam" ? d.value.value : "?" });
    }
  });
  return ok
    ? { name: vi.name, elemType: tensor.elemType, dims, path }
    : { name: vi.name, elemType: tensor.elemType, path, bad: true };
}

/** The declared shape with symbols resolved, or undefined if any stays unresolved. */
export function resolveDims(
  dims: readonly DeclaredDim[],
  resolve: (symbol: string, axis: number) => number | undefined,
): number[] | undefined {
  const out: number[] = [];
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i] as DeclaredDim;
    const v = typeof d === "number" ? d : resolve(d.symbol, i);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}
