import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { main } from "../../src/cli/main.js";
import { writeGraphJson } from "../../src/io/graph-json.js";
import { buildZooModel, ZOO } from "../../src/models/index.js";
import { fakeIO } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "dagpipe-inspect-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function inspectJson(args: string[]) {
  const io = fakeIO();
  const code = await main(["inspect", ...args, "--json"], io);
  assert.equal(code, 0, io.stderr);
  assert.equal(io.stderr, "", "nothing on stderr");
  return JSON.parse(io.stdout) as Record<string, unknown> & { branches: number };
}

test("inspect --json: DLRM has 14 branches, CANDLE-Uno 7, GPT 1", async () => {
  assert.equal((await inspectJson(["dlrm"])).branches, 14);
  assert.equal((await inspectJson(["candle-uno"])).branches, 7);
  assert.equal((await inspectJson(["gpt"])).branches, 1);
});

test("inspect --json prints one document with the promised fields and exact numbers", async () => {
  const doc = await inspectJson(["resnet50"]);
  for (const k of ["ops", "params", "flopsPerSample", "activationBytesPerSample", "branches", "criticalPathShare"]) {
    assert.ok(k in doc, k);
  }
  assert.equal(doc.params, 25_557_032);
  const flops = doc.flopsPerSample as { fwd: number; bwd: number; total: number };
  assert.equal(flops.total, flops.fwd + flops.bwd);
  assert.ok(Math.abs(flops.fwd / 2 - 4.1e9) < 0.03 * 4.1e9);
  const g = buildZooModel("resnet50");
  assert.equal(doc.ops, g.ops.length);
  const act = doc.activationBytesPerSample as { saved: number; output: number };
  assert.equal(
    act.saved,
    g.ops.reduce((s, o) => s + o.savedBytesPerSample, 0),
  );
});

test("model options pass through, before or after --json", async () => {
  const doc = await inspectJson(["mmt", "--branches", "3", "--layers", "2"]);
  assert.equal(doc.branches, 3);
  const io = fakeIO();
  assert.equal(await main(["inspect", "nbranch", "--json", "--branches=5"], io), 0, io.stderr);
  assert.equal(JSON.parse(io.stdout).branches, 5);
});

test("the table uses human units", async () => {
  const io = fakeIO();
  assert.equal(await main(["inspect", "resnet50"], io), 0);
  assert.match(io.stdout, /25\.6 M/);
  assert.match(io.stdout, /GFLOP/);
  assert.match(io.stdout, /MiB/);
  assert.match(io.stdout, /parallel branches\s+2/);
});

test("a graph file inspects like the zoo model it was written from", async () => {
  const file = join(dir, "cu.json");
  writeFileSync(file, writeGraphJson(buildZooModel("candle-uno")));
  assert.deepEqual(await inspectJson([file]), await inspectJson(["candle-uno"]));
});

test("a graph file with a cycle exits 2 and names the ops on the cycle, the file and the line", async () => {
  const file = join(dir, "cycle.json");
  writeFileSync(
    file,
    [
      '{"ops": [',
      '  {"id": "x", "kind": "input", "outShape": [4]},',
      '  {"id": "enc", "kind": "add", "inputs": ["x", "dec"]},',
      '  {"id": "mid", "kind": "relu", "inputs": ["enc"]},',
      '  {"id": "dec", "kind": "relu", "inputs": ["mid"]}',
      "]}",
    ].join("\n"),
  );
  const io = fakeIO();
  assert.equal(await main(["inspect", file, "--json"], io), 2);
  assert.equal(io.stdout, "");
  assert.match(io.stderr, /enc → mid → dec → enc/);
  assert.ok(io.stderr.includes(`${file}:3`), io.stderr);
});

test("a field of the wrong type exits 2 naming its JSON path", async () => {
  const file = join(dir, "type.json");
  writeFileSync(file, '{"ops": [\n {"id": "x", "kind": "input", "outShape": ["four"]}\n]}');
  const io = fakeIO();
  assert.equal(await main(["inspect", file], io), 2);
  assert.ok(io.stderr.includes("ops[0].outShape[0]"), io.stderr);
  assert.ok(io.stderr.includes(`${file}:2`));
  assert.ok(!io.stderr.includes("    at "), "no stack trace");
});

test("bad model arguments exit 2 with what was expected", async () => {
  const cases: [string[], RegExp][] = [
    [["gpt5"], /neither a zoo model nor a file[\s\S]*candle-uno/],
    [["gpt", "--layerz", "3"], /--layerz[\s\S]*--layers/],
    [["gpt", "--layers", "many"], /an integer/],
    [[join(dir, "missing.json")], /does not exist/],
    [[dir], /is a directory/],
    [[join(dir, "cu.json"), "--layers", "2"], /zoo models only/],
  ];
  for (const [args, pattern] of cases) {
    const io = fakeIO();
    assert.equal(await main(["inspect", ...args], io), 2, args.join(" "));
    assert.match(io.stderr, pattern, args.join(" "));
  }
  const none = fakeIO();
  assert.equal(await main(["inspect"], none), 2, "missing <model> is a usage error");
});

test("a file in no known format is an unknown-format error", async () => {
  const file = join(dir, "notes.txt");
  writeFileSync(file, "hello\n");
  const io = fakeIO();
  assert.equal(await main(["inspect", file], io), 2);
  assert.match(io.stderr, /not a graph format[\s\S]*dagpipe JSON graph/);
});

test("smoke: every zoo model inspects", async () => {
  for (const name of Object.keys(ZOO)) {
    const io = fakeIO();
    assert.equal(await main(["inspect", name], io), 0, `${name}: ${io.stderr}`);
    assert.match(io.stdout, /parallel branches/);
  }
});
