/** `dagpipe remat` as a user runs it: JSON on stdout only, exit codes 0 / 1 / 2, Checkmate files by content. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { main } from "../../src/cli/main.js";
import { fakeIO } from "../helpers/cli.js";
import { CHECKMATE_DIR, CHECKMATE_FILES, skipWithoutCheckmate } from "./checkmate-graphs.js";

const dir = mkdtempSync(join(tmpdir(), "dagpipe-remat-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  const io = fakeIO();
  const code = await main(["remat", ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

interface RematJson {
  graph: { nodes: number; floorBytes: number; batch: number };
  results: { solver: string; status: string; overhead?: number; activationBytes?: number; leastBytes?: number }[];
}

describe("dagpipe remat", () => {
  test("a zoo model, one solver, --json: one document on stdout and nothing on stderr", async () => {
    const r = await run(["vgg16", "--batch", "4", "--budget", "0.3", "--solver", "chen-greedy", "--json"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, "");
    const doc = JSON.parse(r.out) as RematJson;
    assert.equal(doc.graph.batch, 4);
    assert.equal(doc.results.length, 1);
    assert.equal(doc.results[0]?.solver, "chen-greedy");
    assert.equal(doc.results[0]?.status, "feasible");
    assert.ok((doc.results[0]?.activationBytes ?? Infinity) <= 0.3e9);
  });

  test("the table lists every solver", async () => {
    const r = await run(["vgg16", "--batch", "2", "--budget", "0.2", "--time-limit", "20"]);
    assert.equal(r.code, 0, r.err);
    for (const s of ["milp", "lp", "checkpoint-all", "chen-sqrt", "chen-greedy", "griewank", "last-node"]) {
      assert.match(r.out, new RegExp(`^${s} `, "m"));
    }
  });

  test("nothing fits: exit 1, the least memory that would fit on stderr, the results still on stdout", async () => {
    const r = await run(["vgg16", "--batch", "4", "--budget", "0.001", "--solver", "milp", "--json"]);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.out) as RematJson;
    assert.equal(doc.results[0]?.status, "infeasible");
    assert.equal(doc.results[0]?.leastBytes, doc.graph.floorBytes);
    assert.match(r.err, /no schedule fits/);
    assert.match(r.err, new RegExp(`${(doc.graph.floorBytes / 1e9).toFixed(3)} GB`));
  });

  test("bad input exits 2 naming the option", async () => {
    for (const [args, path] of [
      [["vgg16", "--budget", "-1"], "--budget"],
      [["vgg16", "--budget", "1", "--solver", "magic"], "--solver"],
      [["vgg16", "--budget", "1", "--batch", "2.5"], "--batch"],
      [["vgg16"], "--budget"],
      [["vgg16", "--max-batch"], "device"],
      [["vgg16", "--max-batch", "--device", "nope"], "device"],
      [["nosuchmodel", "--budget", "1"], "neither a zoo model nor a file"],
    ] as const) {
      const r = await run([...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.ok(r.err.includes(path), `${args.join(" ")}: ${r.err}`);
      assert.equal(r.out, "");
    }
  });

  test("a hostile Checkmate-looking file is an issue with its path, not a crash", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ nodes: [{ id: 0, cost_cpu: 1, cost_ram: "x", backward: false }], links: [] }));
    const r = await run([file, "--budget", "1"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /nodes\[0\]\.cost_ram/);
  });

  test("--max-batch with checkpoint-all on a zoo model", async () => {
    const r = await run(["vgg16", "--max-batch", "--memory", "4", "--method", "checkpoint-all", "--json"]);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as { results: { method: string; batch: number; provenInfeasible: number }[] };
    const row = doc.results[0];
    assert.equal(row?.method, "checkpoint-all");
    assert.ok((row?.batch ?? 0) >= 1);
    assert.equal(row?.provenInfeasible, (row?.batch ?? 0) + 1);
  });
});

describe("dagpipe remat on Checkmate's graphs", { skip: skipWithoutCheckmate }, () => {
  const vgg16 = CHECKMATE_DIR + CHECKMATE_FILES.vgg16;
  test("VGG16 at 15.668 GB: the MILP's 1.0077, read from the node-link file", async () => {
    const r = await run([vgg16, "--budget", "15.668", "--solver", "milp", "--json"]);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as RematJson;
    assert.equal(doc.graph.nodes, 45);
    assert.ok(Math.abs((doc.results[0]?.overhead ?? 0) - 1.0077) < 1e-3);
  });

  test("VGG19 max batch on 16 GB with checkpoint-all: 181 (Checkmate's artifact reports 167 after subtracting parameters twice)", async () => {
    const r = await run([
      CHECKMATE_DIR + CHECKMATE_FILES.vgg19,
      "--max-batch",
      "--memory",
      "16",
      "--method",
      "checkpoint-all",
      "--json",
    ]);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as { results: { batch: number }[] };
    assert.equal(doc.results[0]?.batch, 181);
  });

  test("a forward-only Checkmate graph is refused with exit 2", async () => {
    const r = await run([vgg16.replace("_train_", "_test_"), "--budget", "10"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /forward-only/);
  });
});
