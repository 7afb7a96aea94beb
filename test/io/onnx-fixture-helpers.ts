/** Shared access to the committed ONNX fixtures (exported by scripts/export-onnx-fixtures.py). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Graph } from "../../src/graph/types.js";
import { readOnnx } from "../../src/io/onnx/read-onnx.js";

export const ONNX_DIR = fileURLToPath(new URL("../fixtures/onnx/", import.meta.url));

export interface Expected {
  readonly params: number;
  readonly convLinearMacsPerSample: number;
  readonly batch: number;
  readonly opset: number;
  readonly nodes: number;
  readonly published?: { readonly params: number; readonly macs: number; readonly source: string };
}

export const EXPECTED: Readonly<Record<string, Expected>> = JSON.parse(
  readFileSync(`${ONNX_DIR}expected.json`, "utf8"),
);

export const ONNX_SHAPES: Readonly<Record<string, Readonly<Record<string, readonly (number | string)[]>>>> = JSON.parse(
  readFileSync(`${ONNX_DIR}onnx-shapes.json`, "utf8"),
);

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${ONNX_DIR}${name}.onnx`));
}

export function loadFixture(name: string): Graph {
  const r = readOnnx(fixtureBytes(name), `${name}.onnx`);
  if (!r.ok) throw new Error(`${name}: ${r.issues.map((i) => i.message).join("; ")}`);
  return r.value;
}

export function sum(g: Graph, pick: (op: Graph["ops"][number]) => number): number {
  return g.ops.reduce((s, op) => s + pick(op), 0);
}

/**
 * Multiply-adds of the matrix ops (the quantity published as "MACs"): their forward FLOPs less the bias
 * adds (one per output element), halved.
 */
export function macs(g: Graph): number {
  const kinds = new Set(["conv2d", "conv-transpose2d", "linear", "matmul"]);
  return sum(g, (op) => {
    if (!kinds.has(op.kind)) return 0;
    const biasAdds = op.attrs["bias"] === true ? op.outShape.reduce((a, b) => a * b, 1) : 0;
    return (op.fwdFlopsPerSample - biasAdds) / 2;
  });
}
