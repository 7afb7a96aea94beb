import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Command } from "commander";
import { addClusterOptions, clusterFromOptions } from "../../src/cli/cluster-arg.js";
import { InputError } from "../../src/util/issues.js";

const dir = mkdtempSync(join(tmpdir(), "dagpipe-cluster-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function issuesOf(f: () => unknown) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    return e.issues;
  }
  assert.fail("expected an InputError");
}

describe("cluster options (CLI side)", () => {
  it("reads option strings", () => {
    const c = clusterFromOptions({ gpus: "8", cluster: "summit", memory: "12.5" }, dir);
    assert.equal(c.nodes, 2);
    assert.equal(c.device.memBytes, 12.5 * 2 ** 30);
  });

  it("rejects non-numbers, naming the option and what was typed", () => {
    const issues = issuesOf(() => clusterFromOptions({ gpus: "8x", memory: "lots" }, dir));
    assert.deepEqual(
      issues.map((i) => [i.code, i.path, i.got]),
      [
        ["bad-option", ["gpus"], "8x"],
        ["bad-option", ["memory"], "lots"],
      ],
    );
    assert.equal(issuesOf(() => clusterFromOptions({ gpus: "2.5" }, dir))[0]!.got, "2.5");
  });

  it("reads a custom cluster file relative to the working directory", () => {
    writeFileSync(
      join(dir, "lab.json"),
      JSON.stringify({
        name: "lab",
        device: "A100-40GB",
        devicesPerNode: 4,
        intra: { bandwidthGBps: 300, latencyUs: 5 },
        inter: { bandwidthGBps: 25, latencyUs: 10 },
      }),
    );
    const c = clusterFromOptions({ gpus: 8, cluster: "lab.json" }, dir);
    assert.equal(c.name, "lab");
    assert.equal(c.nodes, 2);
    assert.equal(c.device.name, "A100-40GB");
  });

  it("a file without the .json extension is read when it exists", () => {
    writeFileSync(
      join(dir, "lab-cluster"),
      JSON.stringify({
        device: "V100-32GB",
        devicesPerNode: 8,
        intra: { bandwidthGBps: 50, latencyUs: 5 },
        inter: { bandwidthGBps: 12.5, latencyUs: 10 },
      }),
    );
    assert.equal(clusterFromOptions({ gpus: 16, cluster: "lab-cluster" }, dir).nodes, 2);
  });

  it("a bad file reports the file and the JSON path; a missing file says so", () => {
    writeFileSync(
      join(dir, "bad.json"),
      JSON.stringify({ device: "A100-40GB", devicesPerNode: 4, intra: {}, inter: {} }),
    );
    const issues = issuesOf(() => clusterFromOptions({ gpus: 8, cluster: "bad.json" }, dir));
    assert.ok(issues.length >= 4);
    assert.ok(issues.every((i) => i.file === "bad.json"));
    assert.ok(issues.some((i) => i.code === "missing-field" && i.path?.join(".") === "intra.bandwidthGBps"));
    const missing = issuesOf(() => clusterFromOptions({ gpus: 8, cluster: "nowhere.json" }, dir));
    assert.equal(missing[0]!.file, "nowhere.json");
    assert.deepEqual(missing[0]!.path, ["cluster"]);
  });

  it("an unknown preset name lists the presets", () => {
    const issues = issuesOf(() => clusterFromOptions({ gpus: 8, cluster: "frontier" }, dir));
    assert.equal(issues[0]!.code, "unknown-cluster");
    assert.match(issues[0]!.expected!, /summit/);
  });

  it("adds the four options to a command", () => {
    const cmd = addClusterOptions(new Command("x"));
    assert.deepEqual(
      cmd.options.map((o) => o.long),
      ["--gpus", "--cluster", "--device", "--memory"],
    );
  });
});
