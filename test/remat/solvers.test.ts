/** Every solver through the one entry point: whatever it returns passes the memory simulation at the budget. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildZooModel } from "../../src/models/index.js";
import { checkpointAll } from "../../src/remat/baselines/simple.js";
import { evaluateSchedule } from "../../src/remat/evaluate-schedule.js";
import { loadHighs } from "../../src/remat/milp/run-highs.js";
import { solveRemat } from "../../src/remat/solve.js";
import { trainingGraphFromGraph } from "../../src/remat/training-graph.js";
import { SOLVER_NAMES } from "../../src/remat/types.js";

test("every solver's schedule fits its budget (a small zoo U-Net, three budgets)", async () => {
  const highs = await loadHighs();
  const built = trainingGraphFromGraph(buildZooModel("unet", ["--depth", "2", "--width", "8", "--image", "32"]), {
    batch: 1,
  });
  assert.ok(built.ok);
  const g = built.value;
  const all = evaluateSchedule(g, checkpointAll(g)).stats.activationBytes;
  const found = new Set<string>();
  for (const fraction of [0.9, 0.7, 0.5]) {
    const budget = fraction * all;
    for (const solver of SOLVER_NAMES) {
      const r = await solveRemat(g, budget, solver, { highs, timeLimitSec: 4 });
      assert.equal(r.solver, solver);
      if (!r.schedule) {
        assert.ok(["infeasible", "no-solution", "not-applicable"].includes(r.status), `${solver}: ${r.status}`);
        continue;
      }
      found.add(solver);
      const v = evaluateSchedule(g, r.schedule, budget);
      assert.deepEqual(v.issues, [], `${solver} at ${fraction}`);
      assert.equal(v.stats.cost, r.stats?.cost);
    }
  }
  for (const solver of ["milp", "chen-sqrt", "chen-greedy", "griewank", "last-node"])
    assert.ok(found.has(solver), solver);
});
