/**
 * Differential test of the TypeScript shape inference against ONNX's own (onnx 1.12's
 * `shape_inference.infer_shapes`, recorded by the export script on the unstripped files): every tensor
 * ONNX can shape, dagpipe shapes the same way.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyzeOnnx } from "../../src/io/onnx/analyze.js";
import { decodeOnnxModel } from "../../src/io/onnx/decode-model.js";
import { fixtureBytes, ONNX_SHAPES } from "./onnx-fixture-helpers.js";

describe("shape inference agrees with ONNX's", () => {
  for (const [name, reference] of Object.entries(ONNX_SHAPES)) {
    it(name, () => {
      const m = decodeOnnxModel(fixtureBytes(name), name);
      assert.ok(m.ok);
      const { analysis, issues } = analyzeOnnx(m.value, name);
      assert.deepEqual(issues, []);
      const names = Object.keys(reference);
      assert.ok(names.length > 0, "the reference shapes something");
      // The symbolic batch reads as the file's batch (1); other symbols ONNX invents match any size.
      const agrees = (t: string) => {
        const got = analysis.tensors.get(t)?.shape;
        const want = reference[t] ?? [];
        return (
          got !== undefined &&
          got.length === want.length &&
          want.every((d, i) => (d === "batch" ? got[i] === analysis.batch : typeof d === "string" || d === got[i]))
        );
      };
      const wrong = names.filter((t) => !agrees(t));
      assert.deepEqual(
        wrong.map((t) => `${t}: ${JSON.stringify(analysis.tensors.get(t)?.shape)} vs ${JSON.stringify(reference[t])}`),
        [],
      );
    });
  }
});
