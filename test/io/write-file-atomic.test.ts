/** Every file dagpipe writes: complete or absent, never half-written; a failure names the file and the option. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { writeFileAtomic } from "../../src/io/write-file-atomic.js";
import { InputError } from "../../src/util/issues.js";
import { fakeIO } from "../helpers/cli.js";

test("chunks are written whole; a chunk source that throws leaves neither the file nor a temporary", () => {
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-atomic-"));
  try {
    const path = join(dir, "out.json");
    writeFileAtomic(path, ["[1,", "2]"]);
    assert.equal(readFileSync(path, "utf8"), "[1,2]");
    function* failing() {
      yield "partial";
      throw new Error("disk full");
    }
    const other = join(dir, "other.json");
    assert.throws(
      () => writeFileAtomic(other, failing(), { shownAs: "other.json", option: "trace" }),
      (e) => {
        assert.ok(e instanceof InputError);
        assert.match(e.issues[0]!.message, /cannot write other\.json/);
        assert.deepEqual(e.issues[0]!.path, ["trace"]);
        return true;
      },
    );
    assert.deepEqual(readdirSync(dir), ["out.json"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("plan --out into a missing directory: exit 2 naming the file and --out, nothing written", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dagpipe-atomic-"));
  try {
    mkdirSync(join(dir, "present"));
    const out = join(dir, "absent", "plan.json");
    const io = fakeIO();
    const args = ["plan", "nbranch", "--hidden", "256", "--seq", "64", "--heads", "4", "--gpus", "4"];
    assert.equal(await main([...args, "--planner", "uniform", "--out", out], io), 2);
    assert.match(io.stderr, /cannot write .*absent\/plan\.json \(ENOENT\)/);
    assert.match(io.stderr, /out/);
    assert.equal(existsSync(join(dir, "absent")), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
