import assert from "node:assert/strict";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { flagOf, ZOO } from "../../src/models/index.js";
import { fakeIO } from "../helpers/cli.js";

test("models --json lists every zoo model with its options and defaults", async () => {
  const io = fakeIO();
  assert.equal(await main(["models", "--json"], io), 0);
  const doc = JSON.parse(io.stdout) as {
    models: { name: string; options: { name: string; flag: string; default: unknown; type: string }[] }[];
  };
  assert.deepEqual(
    doc.models.map((m) => m.name),
    Object.keys(ZOO),
  );
  const mmt = doc.models.find((m) => m.name === "mmt")!;
  assert.deepEqual(
    mmt.options.find((o) => o.name === "branches"),
    { name: "branches", flag: "--branches", type: "int", default: 4, description: "parallel modality branches" },
  );
  assert.equal(io.stderr, "");
});

test("models prints a table naming every model and every option flag", async () => {
  const io = fakeIO();
  assert.equal(await main(["models"], io), 0);
  for (const e of Object.values(ZOO)) {
    assert.ok(io.stdout.includes(`${e.name} — `), e.name);
    for (const o of e.options) assert.ok(io.stdout.includes(flagOf(o.name)), `${e.name} ${o.name}`);
  }
});
