import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { fakeIO } from "../helpers/cli.js";
import { branchGroups, chain, dag, smallMmt, writePlan } from "../runtime/plans.js";

const ACTION = /^(\d+)(F|I|B|W|UNSHARD|RESHARD|REDUCE_GRAD|SEND_F|RECV_F|SEND_B|RECV_B)(\d*)$/;

test("export --format torch-csv: a 1F1B chain plan passes torch's schedule rules", async () => {
  const g = smallMmt();
  const m = 4;
  const file = writePlan(g, chain(g, 2, { microBatch: 2, microBatches: m, schedule: "1f1b" }));
  const io = fakeIO();
  assert.equal(await main(["export", file, "--format", "torch-csv"], io), 0, io.stderr);
  const rows = io.stdout
    .trimEnd()
    .split("\n")
    .map((r) => r.split(","));
  assert.equal(rows.length, 2);
  // torch's _validate_schedule: every stage on one rank; per stage m forwards and m backwards, F before B
  rows.forEach((row, rank) => {
    const seen = new Set<number>();
    for (const cell of row) {
      const mt = ACTION.exec(cell);
      assert.ok(mt, `cell ${cell}`);
      assert.equal(Number(mt[1]), rank, "stage r lives on rank r");
      if (mt[2] === "F") seen.add(Number(mt[3]));
      if (mt[2] === "B") assert.ok(seen.has(Number(mt[3])), `B${mt[3]} after its F`);
    }
    assert.equal(row.filter((c) => /^\d+F\d+$/.test(c)).length, m);
    assert.equal(row.filter((c) => /^\d+B\d+$/.test(c)).length, m);
  });
  // every send has its receive on the neighbour
  assert.equal(
    rows[0]!.filter((c) => c.includes("SEND_F")).length,
    rows[1]!.filter((c) => c.includes("RECV_F")).length,
  );
  assert.equal(
    rows[1]!.filter((c) => c.includes("SEND_B")).length,
    rows[0]!.filter((c) => c.includes("RECV_B")).length,
  );
});

test("export --format torch-csv rejects a stage DAG (exit 2, at plan.stageEdges)", async () => {
  const g = smallMmt();
  const file = writePlan(
    g,
    dag(g, branchGroups(g, ["b0.", "b1."]), { microBatch: 2, microBatches: 2, schedule: "dag-1f1b" }),
  );
  const io = fakeIO();
  assert.equal(await main(["export", file, "--format", "torch-csv"], io), 2);
  assert.match(io.stderr, /plan\.stageEdges/);
  assert.equal(io.stdout, "");
});

test("export --format dagpipe-job writes the workers' job file atomically", async () => {
  const g = smallMmt();
  const file = writePlan(g, chain(g, 2, { microBatch: 2, microBatches: 2, schedule: "gpipe", dataParallel: [2, 1] }));
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-export-"));
  try {
    const out = join(dir, "job.json");
    const io = fakeIO();
    assert.equal(
      await main(["export", file, "--format", "dagpipe-job", "--device", "cuda", "--out", out], io),
      0,
      io.stderr,
    );
    const job = JSON.parse(readFileSync(out, "utf8")) as {
      format: string;
      ranks: number[];
      labels: string[][];
      transfers: { lo: number; hi: number }[];
      run: { backend: string };
    };
    assert.equal(job.format, "dagpipe-job");
    assert.deepEqual(job.ranks, [0, 1, 2]);
    assert.equal(job.run.backend, "nccl");
    // 2 replicas → 1: each replica's sample range travels as one piece
    assert.deepEqual(
      job.transfers.map((t) => [t.lo, t.hi]),
      [
        [0, 1],
        [1, 2],
      ],
    );
    assert.ok(job.labels[2]!.includes("s1F0"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("export without --format is a usage error naming the option", async () => {
  const g = smallMmt();
  const file = writePlan(g, chain(g, 2, { microBatch: 2, microBatches: 2, schedule: "gpipe" }));
  const io = fakeIO();
  assert.equal(await main(["export", file], io), 2);
  assert.match(io.stderr, /--format/);
});
