import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { main } from "../../src/cli/main.js";
import { loadGraphFile } from "../../src/io/load-graph-file.js";
import { fakeIO } from "../helpers/cli.js";

describe("PipeDream graph.txt files through the loader and the CLI", () => {
  it("loadGraphFile picks the PipeDream reader by content", () => {
    const r = loadGraphFile("test/fixtures/pipedream/resnet50/graph.txt");
    assert.ok(r.ok);
    assert.equal(r.value.ops.length, 177);
    assert.equal(r.value.source?.["format"], "pipedream-graph");
  });

  it("a profile whose batch cannot be inferred is bad input naming the file and line", () => {
    const r = loadGraphFile("test/fixtures/pipedream/gnmt/graph.txt");
    assert.ok(!r.ok);
    assert.deepEqual(
      r.issues.map((i) => [i.code, i.file, i.line]),
      [["missing-field", "test/fixtures/pipedream/gnmt/graph.txt", 2]],
    );
  });

  it("dagpipe inspect reads a profile: inception_v3 has parallel branches, GNMT without a batch exits 2", async () => {
    const io = fakeIO();
    assert.equal(await main(["inspect", "test/fixtures/pipedream/inception_v3/graph.txt", "--json"], io), 0);
    const doc = JSON.parse(io.stdout) as { ops: number; branches: number };
    assert.equal(doc.ops, 326);
    assert.ok(doc.branches > 1);
    const bad = fakeIO();
    assert.equal(await main(["inspect", "test/fixtures/pipedream/gnmt/graph.txt"], bad), 2);
    assert.match(bad.stderr, /gnmt\/graph\.txt:2/);
  });

  it("--profile-batch gives a profile its batch: GNMT plans, and the plan document reads back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dagpipe-pd-"));
    try {
      const out = join(dir, "plan.json");
      const gnmt = "test/fixtures/pipedream/gnmt/graph.txt";
      const io = fakeIO();
      const args = ["plan", gnmt, "--profile-batch", "64", "--gpus", "4", "--device", "V100-16GB", "--out", out];
      assert.equal(await main(args, io), 0, io.stderr);
      const sim = fakeIO();
      assert.equal(await main(["simulate", out, "--json"], sim), 0, sim.stderr);
      const inspected = fakeIO();
      assert.equal(await main(["inspect", gnmt, "--profile-batch=64", "--json"], inspected), 0, inspected.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--profile-batch must be a positive integer, only after a PipeDream profile; other file options are refused", async () => {
    const cases: [string[], RegExp][] = [
      [["test/fixtures/pipedream/gnmt/graph.txt", "--profile-batch", "0"], /positive integer/],
      [["test/fixtures/pipedream/gnmt/graph.txt", "--profile-batch"], /positive integer/],
      [["test/fixtures/pipedream/gnmt/graph.txt", "--profile-batch", "0x40"], /positive integer/],
      [["test/fixtures/pipedream/gnmt/graph.txt", "--profile-batch=64", "--profile-batch=32"], /given twice/],
      [["test/fixtures/pipedream/vgg16/graph.txt", "--layers", "3"], /zoo models only/],
      [["test/fixtures/onnx/branch-cnn.onnx", "--profile-batch", "8"], /applies to PipeDream profiles/],
    ];
    for (const [words, message] of cases) {
      const io = fakeIO();
      assert.equal(await main(["inspect", ...words], io), 2, words.join(" "));
      assert.match(io.stderr, message, words.join(" "));
    }
  });
});
