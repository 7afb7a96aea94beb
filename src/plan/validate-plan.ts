/**
 * `validatePlan(plan, graph, cluster) → Issue[]`: every problem of a plan, each with a path such as
 * `stages[3].devices[1]` (all of them, never only the first).
 *
 * Checked: numbers (micro-batch size and count), stage ids unique; every op of the graph in exactly one stage;
 * each stage convex (no path leaves it and comes back); stage edges name known stages, carry data (some op edge
 * crosses them) and form an acyclic graph that contains every op edge crossing stages; devices inside the
 * cluster and disjoint between stages (interleaved plans: stages share device sets in the "loop" placement,
 * checked in validate-schedule-kind.ts); devices = dataParallel × tensorParallel, tensorParallel = 1, every
 * replica gets at least one sample of a micro-batch; the schedule's own rules.
 *
 * Precondition NOT checked: the graph itself is valid (`validateGraph`; the plan reader runs it first).
 */
import { type GraphIndex, indexGraph } from "../graph/graph-index.js";
import type { Graph } from "../graph/types.js";
import type { Cluster } from "../hardware/types.js";
import type { Issue } from "../util/issues.js";
import { buildStageGraph, type StageGraph } from "./stage-graph.js";
import type { Plan } from "./types.js";
import { validateScheduleKind } from "./validate-schedule-kind.js";

export function validatePlan(plan: Plan, graph: Graph, cluster: Cluster): Issue[] {
  const issues: Issue[] = [];
  checkNumbers(plan, issues);
  const index = indexGraph(graph);
  const opStage = placeOps(plan, graph, index, issues);
  checkDevices(plan, cluster, issues);
  const edgesOk = checkStageEdges(plan, issues);
  const sg = buildStageGraph(plan);
  if (edgesOk) {
    checkCrossingEdges(plan, graph, index, opStage, issues);
    if (!sg.acyclic) issues.push(cycleIssue(sg));
  }
  checkConvex(plan, graph, index, opStage, issues);
  if (edgesOk && sg.acyclic) issues.push(...validateScheduleKind(plan, sg));
  return issues;
}

function isPositiveInt(x: number): boolean {
  return Number.isInteger(x) && x >= 1;
}

function checkNumbers(plan: Plan, issues: Issue[]): void {
  for (const key of ["microBatch", "microBatches"] as const) {
    if (!isPositiveInt(plan[key])) {
      issues.push({
        code: "bad-number",
        message: `${key} must be a positive integer`,
        path: [key],
        expected: "an integer ≥ 1",
        got: String(plan[key]),
      });
    }
  }
  if (plan.stages.length === 0) {
    issues.push({ code: "invalid-value", message: "a plan needs at least one stage", path: ["stages"] });
  }
  const seen = new Map<string, number>();
  plan.stages.forEach((stage, i) => {
    const first = seen.get(stage.id);
    if (first !== undefined) {
      issues.push({
        code: "duplicate-id",
        message: `stage id "${stage.id}" is already used by stages[${first}]`,
        path: ["stages", i, "id"],
      });
    } else seen.set(stage.id, i);
    if (!isPositiveInt(stage.dataParallel)) {
      issues.push({
        code: "bad-degree",
        message: `stage "${stage.id}": dataParallel must be a positive integer`,
        path: ["stages", i, "dataParallel"],
        expected: "an integer ≥ 1",
        got: String(stage.dataParallel),
      });
    } else if (isPositiveInt(plan.microBatch) && plan.microBatch < stage.dataParallel) {
      issues.push({
        code: "bad-degree",
        message: `stage "${stage.id}": ${stage.dataParallel} replicas cannot split a micro-batch of ${plan.microBatch} samples (a replica would get none)`,
        path: ["stages", i, "dataParallel"],
        expected: `at most microBatch = ${plan.microBatch}`,
        got: String(stage.dataParallel),
      });
    }
    if (stage.tensorParallel !== 1) {
      issues.push({
        code: "unsupported",
        message: `stage "${stage.id}": tensor parallelism is not supported yet`,
        path: ["stages", i, "tensorParallel"],
        expected: "1",
        got: String(stage.tensorParallel),
      });
    }
    if (
      isPositiveInt(stage.dataParallel) &&
      stage.devices.length !== stage.dataParallel * Math.max(1, stage.tensorParallel)
    ) {
      issues.push({
        code: "bad-degree",
        message: `stage "${stage.id}" has ${stage.devices.length} devices but dataParallel × tensorParallel = ${stage.dataParallel * stage.tensorParallel}`,
        path: ["stages", i, "devices"],
        expected: `${stage.dataParallel * stage.tensorParallel} devices`,
        got: String(stage.devices.length),
      });
    }
    if (stage.recompute === "remat" && stage.rematCost === undefined) {
      issues.push({
        code: "missing-field",
        message: `stage "${stage.id}" uses recompute "remat" but gives no rematCost`,
        path: ["stages", i, "rematCost"],
      });
    }
  });
}

/** Stage index of every op (-1 = unplaced); reports unknown, duplicate and missing ops and empty stages. */
function placeOps(plan: Plan, graph: Graph, index: GraphIndex, issues: Issue[]): Int32Array {
  const opStage = new Int32Array(graph.ops.length).fill(-1);
  plan.stages.forEach((stage, i) => {
    if (stage.ops.length === 0) {
      issues.push({ code: "invalid-value", message: `stage "${stage.id}" has no ops`, path: ["stages", i, "ops"] });
    }
    stage.ops.forEach((opId, j) => {
      const op = index.byId.get(opId);
      if (op === undefined) {
        issues.push({
          code: "unknown-op",
          message: `stage "${stage.id}" names op "${opId}", which is not in graph "${graph.name}"`,
          path: ["stages", i, "ops", j],
        });
      } else if (opStage[op] !== -1) {
        issues.push({
          code: "op-placed-twice",
          message: `op "${opId}" is in stage "${plan.stages[opStage[op]!]!.id}" and again in stage "${stage.id}"`,
          path: ["stages", i, "ops", j],
        });
      } else opStage[op] = i;
    });
  });
  graph.ops.forEach((op, k) => {
    if (opStage[k] === -1) {
      issues.push({ code: "op-unplaced", message: `op "${op.id}" is in no stage`, path: ["stages"], got: op.id });
    }
  });
  return opStage;
}

function checkDevices(plan: Plan, cluster: Cluster, issues: Issue[]): void {
  const total = cluster.nodes * cluster.devicesPerNode;
  const interleaved = plan.schedule === "interleaved";
  // Device → [stage, position] of its first use; interleaved chunks may reuse a device in another stage.
  const owner = new Map<number, readonly [number, number]>();
  plan.stages.forEach((stage, i) => {
    stage.devices.forEach((d, j) => {
      const path = ["stages", i, "devices", j];
      if (!Number.isInteger(d) || d < 0 || d >= total) {
        issues.push({
          code: "device-out-of-range",
          message: `stage "${stage.id}": device ${d} is not in cluster "${cluster.name}" (${total} devices)`,
          path,
          expected: `an integer in [0, ${total - 1}]`,
          got: String(d),
        });
        return;
      }
      const first = owner.get(d);
      if (first === undefined) {
        owner.set(d, [i, j]);
      } else if (first[0] === i) {
        issues.push({ code: "device-shared", message: `stage "${stage.id}" lists device ${d} twice`, path });
      } else if (!interleaved) {
        issues.push({
          code: "device-shared",
          message: `device ${d} is used by stage "${plan.stages[first[0]]!.id}" and by stage "${stage.id}"`,
          path,
        });
      }
    });
  });
}

/** Unknown ids, self-loops and duplicates in stageEdges; false when the stage graph cannot be trusted. */
function checkStageEdges(plan: Plan, issues: Issue[]): boolean {
  const ids = new Set(plan.stages.map((s) => s.id));
  const seen = new Set<string>();
  let ok = true;
  plan.stageEdges.forEach(([from, to], k) => {
    for (const [end, id] of [
      [0, from],
      [1, to],
    ] as const) {
      if (!ids.has(id)) {
        ok = false;
        issues.push({
          code: "unknown-stage",
          message: `stage edge ${k} names stage "${id}", which the plan does not have`,
          path: ["stageEdges", k, end],
        });
      }
    }
    if (from === to) {
      issues.push({
        code: "stage-cycle",
        message: `stage edge ${k} goes from "${from}" to itself`,
        path: ["stageEdges", k],
      });
    }
    const key = JSON.stringify([from, to]);
    if (seen.has(key)) {
      issues.push({
        code: "invalid-value",
        message: `stage edge "${from}" → "${to}" is listed twice`,
        path: ["stageEdges", k],
      });
    }
    seen.add(key);
  });
  return ok;
}

/** Every op edge between two stages needs its stage edge, and every stage edge needs an op edge. */
function checkCrossingEdges(plan: Plan, graph: Graph, index: GraphIndex, opStage: Int32Array, issues: Issue[]): void {
  const declared = new Set(plan.stageEdges.map(([a, b]) => JSON.stringify([a, b])));
  const used = new Set<string>();
  const reported = new Set<string>();
  index.preds.forEach((preds, v) => {
    const sv = opStage[v]!;
    if (sv < 0) return;
    for (const u of preds) {
      const su = opStage[u]!;
      if (su < 0 || su === sv) continue;
      const from = plan.stages[su]!.id;
      const to = plan.stages[sv]!.id;
      const key = JSON.stringify([from, to]);
      used.add(key);
      if (!declared.has(key) && !reported.has(key)) {
        reported.add(key);
        issues.push({
          code: "missing-stage-edge",
          message: `op "${graph.ops[u]!.id}" in stage "${from}" feeds op "${graph.ops[v]!.id}" in stage "${to}", but stageEdges has no "${from}" → "${to}"`,
          path: ["stageEdges"],
          expected: key,
        });
      }
    }
  });
  plan.stageEdges.forEach(([a, b], k) => {
    if (a !== b && !used.has(JSON.stringify([a, b]))) {
      issues.push({
        code: "invalid-value",
        message: `stage edge "${a}" → "${b}" carries no data: no op of "${a}" feeds an op of "${b}"`,
        path: ["stageEdges", k],
      });
    }
  });
}

function cycleIssue(sg: StageGraph): Issue {
  // The stages left out of the topological order all lie on or behind a cycle; walk predecessors to close one.
  const inTopo = new Set(sg.topo);
  let v = sg.ids.findIndex((_, i) => !inTopo.has(i));
  const seen = new Map<number, number>();
  const walk: number[] = [];
  while (!seen.has(v)) {
    seen.set(v, walk.length);
    walk.push(v);
    v = sg.preds[v]!.find((u) => !inTopo.has(u))!;
  }
  const cycle = walk.slice(seen.get(v)).reverse();
  const names = [...cycle, cycle[0]!].map((i) => `"${sg.ids[i]}"`).join(" → ");
  return { code: "stage-cycle", message: `the stage graph has a cycle: ${names}`, path: ["stageEdges"] };
}

/**
 * A stage S is convex when no path leaves S and re-enters it: search forward from the ops just outside S
 * that S feeds, without entering S; reaching an op of S is a witness. O(stages × (ops + edges)).
 */
function checkConvex(plan: Plan, graph: Graph, index: GraphIndex, opStage: Int32Array, issues: Issue[]): void {
  const n = graph.ops.length;
  const mark = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  plan.stages.forEach((stage, s) => {
    stack.length = 0;
    for (const id of stage.ops) {
      const u = index.byId.get(id);
      if (u === undefined || opStage[u] !== s) continue;
      for (const v of index.succs[u]!) {
        if (opStage[v] !== s && mark[v] !== s) {
          mark[v] = s;
          stack.push(v);
        }
      }
    }
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const w of index.succs[v]!) {
        if (opStage[w] === s) {
          issues.push({
            code: "stage-not-convex",
            message: `stage "${stage.id}" is not convex: a path leaves it through op "${graph.ops[v]!.id}" and comes back to op "${graph.ops[w]!.id}"`,
            path: ["stages", s, "ops"],
          });
          stack.length = 0;
          return;
        }
        if (mark[w] !== s) {
          mark[w] = s;
          stack.push(w);
        }
      }
    }
  });
}
