/** Every file dagpipe writes: complete or absent, never half-written; a failure names the file and the option. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { writeFileAtomic } from "../../src/io/write-file-atomic.js";
import { InputError } from "../../src/util/issues.js";
import { fakeIO } from "../helpers/cli.js";

function withDir(fn: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "dagpipe-atomic-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  "chunks are written whole; a producer that throws is rethrown as it is and leaves neither file nor temporary",
  withDir((dir) => {
    const path = join(dir, "out.json");
    writeFileAtomic(path, ["[1,", "2]"]);
    assert.equal(readFileSync(path, "utf8"), "[1,2]");
    function* failing() {
      yield "partial";
      throw new Error("bug in the producer");
    }
    assert.throws(() => writeFileAtomic(join(dir, "other.json"), failing()), /bug in the producer/);
    assert.deepEqual(readdirSync(dir), ["out.json"]);
  }),
);

test(
  "a rename the OS refuses (the target is a directory): exit-2 input error naming the file and option, no temporary left",
  withDir((dir) => {
    mkdirSync(join(dir, "taken"));
    assert.throws(
      () => writeFileAtomic(join(dir, "taken"), "{}", { shownAs: "taken", option: "trace" }),
      (e) => {
        assert.ok(e instanceof InputError);
        assert.match(e.issues[0]!.message, /cannot write taken \((EISDIR|ENOTEMPTY|EEXIST|EPERM)\)/);
        assert.deepEqual(e.issues[0]!.path, ["trace"]);
        return true;
      },
    );
    assert.deepEqual(readdirSync(dir), ["taken"]);
    assert.deepEqual(readdirSync(join(dir, "taken")), []);
  }),
);

test(
  "plan --out onto a directory: exit 2 naming the file and --out, nothing left beside it",
  withDir(async (dir) => {
    const out = join(dir, "plan.json");
    mkdirSync(out);
    const io = fakeIO();
    const args = ["plan", "nbranch", "--hidden", "256", "--seq", "64", "--heads", "4", "--gpus", "4"];
    assert.equal(await main([...args, "--planner", "uniform", "--out", out], io), 2);
    assert.match(io.stderr, /cannot write .*plan\.json \(EISDIR\)/);
    assert.match(io.stderr, /at .*plan\.json out/);
    assert.deepEqual(readdirSync(dir), ["plan.json"]);
  }),
);
