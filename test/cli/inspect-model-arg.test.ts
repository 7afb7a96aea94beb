import assert from "node:assert/strict";
import { test } from "node:test";
import { Command } from "commander";
import { splitModelArgs } from "../../src/cli/model-arg.js";
import { InputError } from "../../src/util/issues.js";

/** A command registered the way model-taking commands are, returning what it received. */
async function parse(argv: string[]) {
  let got: { opts: Record<string, unknown>; rest: string[] } | undefined;
  const program = new Command("dagpipe").exitOverride();
  program
    .command("plan")
    .argument("<model>")
    .option("--gpus <n>", "devices")
    .option("--json")
    .allowUnknownOption()
    .allowExcessArguments()
    .action((_m: string, opts: Record<string, unknown>, cmd: Command) => {
      got = { opts, rest: [...cmd.args] };
    });
  await program.parseAsync(argv, { from: "user" });
  assert.ok(got);
  return { opts: got.opts, ...splitModelArgs(got.rest) };
}

test("the command's own options are taken wherever they appear; the rest goes to the model in order", async () => {
  const r = await parse(["plan", "gpt", "--layers", "8", "--gpus", "4", "--no-bias", "--json", "--mlp=swiglu"]);
  assert.deepEqual(r.opts, { gpus: "4", json: true });
  assert.equal(r.spec, "gpt");
  assert.deepEqual(r.modelArgs, ["--layers", "8", "--no-bias", "--mlp=swiglu"]);
  const plain = await parse(["plan", "--gpus", "2", "mmt"]);
  assert.deepEqual([plain.spec, plain.modelArgs, plain.opts.gpus], ["mmt", [], "2"]);
});

test("a model option before the model is rejected with bad-option", async () => {
  await assert.rejects(
    () => parse(["plan", "--layers", "8", "gpt"]),
    (e: unknown) => e instanceof InputError && e.issues[0]!.code === "bad-option" && e.issues[0]!.path?.[0] === "model",
  );
  assert.throws(() => splitModelArgs([]), InputError);
});
