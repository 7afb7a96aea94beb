import assert from "node:assert/strict";
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
});
