/** Run a plan with --verify in float64 and check it trained exactly like single-process training. */
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.js";
import type { Graph } from "../../src/graph/types.js";
import type { Plan } from "../../src/plan/types.js";
import { fakeIO } from "../helpers/cli.js";
import { writePlan } from "./plans.js";

export interface RunJson {
  ok: boolean;
  iterations: { iteration: number; loss: number | null }[];
  /** Point-to-point groups of one direction each (NCCL layout). */
  directedGroups: number;
  verify: {
    losses: number[];
    params: {
      ok: boolean;
      maxRelErr: number;
      tensorsCompared: number;
      referenceTensors: number;
      elementsCompared: number;
      referenceElements: number;
      missing: string[];
    };
  };
}

export async function runVerified(g: Graph, plan: Plan, extra: readonly string[] = []): Promise<RunJson> {
  const file = writePlan(g, plan);
  const io = fakeIO();
  (io as { env: NodeJS.ProcessEnv }).env = process.env;
  const code = await main(
    [
      "run",
      file,
      "--iterations",
      "5",
      "--dtype",
      "float64",
      "--lr",
      "0.01",
      "--seed",
      "7",
      "--verify",
      "--json",
      ...extra,
    ],
    io,
  );
  assert.equal(code, 0, io.stderr);
  return JSON.parse(io.stdout) as RunJson;
}

export function assertEqualTraining(r: RunJson, replicated: boolean): void {
  assert.equal(r.iterations.length, 5);
  const p = r.verify.params;
  assert.deepEqual(p.missing, []);
  assert.ok(p.ok);
  assert.ok(p.maxRelErr <= 1e-5, `parameters differ by ${p.maxRelErr} (relative)`);
  // every parameter of the model was compared; data-parallel replicas add more comparisons
  assert.ok(p.elementsCompared >= p.referenceElements);
  if (replicated) assert.ok(p.tensorsCompared > p.referenceTensors, "a replica's parameters were compared too");
  r.iterations.forEach((it, k) => {
    const want = r.verify.losses[k]!;
    assert.ok(it.loss !== null);
    assert.ok(Math.abs(it.loss - want) <= 1e-5 * Math.abs(want), `loss of iteration ${k}: ${it.loss} vs ${want}`);
  });
  // training did something: the loss moved
  assert.notEqual(r.verify.losses[0], r.verify.losses[4]);
}
