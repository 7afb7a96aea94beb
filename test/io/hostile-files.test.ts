/**
 * Files as a user hands them to the command line: the reader is chosen by content (a renamed file still
 * loads), and every broken, wrong-format, huge, cyclic or self-contradictory file ends in exit 2 with a
 * message that names the file and the place; never a stack trace.
 */
import assert from "node:assert/strict";
import {
  closeSync,
  copyFileSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";
import { fakeIO } from "../helpers/cli.js";
import { mlpParts, modelBytes, node, valueInfo } from "./onnx-build.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dagpipe-hostile-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function inspect(file: string) {
  const io = fakeIO();
  const code = await main(["inspect", file, "--json"], io);
  return { code, out: io.stdout, err: io.stderr };
}

function write(name: string, content: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function rejected(file: string, place: RegExp) {
  const r = await inspect(file);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.out, "", "nothing on stdout");
  assert.doesNotMatch(r.err, /internal error|\n\s+at /, "no stack trace");
  assert.ok(r.err.includes(file), `names the file: ${r.err}`);
  assert.match(r.err, place);
  return r.err;
}

describe("readers are chosen by content, not by extension", () => {
  const cases: [string, string, number][] = [
    ["onnx/googlenet.onnx", "model.bin", 6_624_904],
    ["hf/llama-2-7b.json", "config.txt", 6_738_415_616],
    ["flexflow/two-branch.json", "profile", 100_685_824],
  ];
  for (const [fixture, renamed, params] of cases) {
    it(`${fixture} renamed to ${renamed}`, async () => {
      const path = join(dir, renamed);
      copyFileSync(join(FIXTURES, fixture), path);
      const r = await inspect(path);
      assert.equal(r.code, 0, r.err);
      assert.equal((JSON.parse(r.out) as { params: number }).params, params);
    });
  }
});

describe("warnings reach the user on stderr; --json keeps stdout to its one document", () => {
  it("an unknown ONNX operator", async () => {
    const file = join(FIXTURES, "onnx/tiny-mlp-custom-op.onnx");
    const r = await inspect(file);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { params: number }).params, 2762);
    assert.match(r.err, /⚠ unknown operator com\.example:FancyNorm/);
    assert.ok(r.err.includes(`${file} graph.node[2]`));
  });
});

describe("hostile files exit 2 naming the file and the place", () => {
  it("empty", async () => {
    await rejected(write("empty.onnx", new Uint8Array(0)), /empty/);
  });

  it("a truncated ONNX model: the byte offset and the field", async () => {
    const full = readFileSync(join(FIXTURES, "onnx/resnet18.onnx"));
    const err = await rejected(write("cut.onnx", full.subarray(0, 3000)), /graph\.node\[\d+\]/);
    assert.match(err, /byte \d+/);
  });

  it("wrong format: a PNG header, an unknown JSON document", async () => {
    await rejected(
      write("image.onnx", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])),
      /not a graph format/,
    );
    await rejected(write("other.json", '{"hello": "world"}'), /not a graph format/);
  });

  it("a cyclic ONNX graph names the nodes on the cycle", async () => {
    const p = mlpParts();
    const bytes = modelBytes({
      ...p,
      nodes: [node("Add", ["x", "c"], ["a"], {}, "first"), node("Relu", ["a"], ["c"], {}, "second")],
      outputs: [valueInfo("c", [1, 8])],
    });
    const err = await rejected(write("cycle.onnx", bytes), /graph\.node\[0\]/);
    assert.match(err, /first.*second/);
  });

  it("a self-contradicting config: the key and its line", async () => {
    const config = readFileSync(join(FIXTURES, "hf/llama-2-7b.json"), "utf8").replace(
      '"num_attention_heads": 32',
      '"num_attention_heads": 30',
    );
    await rejected(write("config.json", config), /config\.json:12 num_attention_heads/);
  });

  it("a profile with an edge to a missing op", async () => {
    const doc = JSON.parse(readFileSync(join(FIXTURES, "flexflow/two-branch.json"), "utf8"));
    doc["6"].inputs = [2, 42];
    await rejected(write("profile.json", JSON.stringify(doc, null, 2)), /profile\.json:\d+ \["6"\]\.inputs\[1\]/);
  });

  it("a file larger than any reader takes (a sparse 3 GiB file)", async () => {
    const path = join(dir, "huge.onnx");
    const fd = openSync(path, "w");
    ftruncateSync(fd, 3 * 2 ** 30);
    closeSync(fd);
    await rejected(path, /cannot be read|too large/);
  });

  it("a directory and a missing file", async () => {
    const sub = join(dir, "a-folder.onnx");
    mkdirSync(sub);
    await rejected(sub, /directory/);
    await rejected(join(dir, "missing.onnx"), /does not exist/);
  });
});
