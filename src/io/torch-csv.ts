/**
 * A chain plan's schedule in torch.distributed.pipelining's CSV format (research note B.2): one row per
 * pipeline rank, one `_Action` string per cell (`0F0`, `1SEND_F0`, `2RECV_B3`, `1I2`, `0W1`, `0REDUCE_GRAD`),
 * loadable with `_PipelineScheduleRuntime._load_csv(path, format)`.
 *
 * Mapping from dagpipe actions:
 * - stage index = the stage's position in the chain (first stage 0); rank = position of the stage's device
 *   group among the plan's distinct device groups, in chain order (interleaved plans put several stages on one
 *   rank, as torch's looped schedules do);
 * - F → F; B → B, or I when the schedule splits the backward (a W follows for that stage and micro-batch);
 *   W → W; send/recv of activations → SEND_F/RECV_F, of gradients → SEND_B/RECV_B (stage = the stage on the
 *   acting rank, as in torch's lowering); allreduce → REDUCE_GRAD;
 * - `step` has no torch action (the optimizer runs outside the schedule) and `recompute` neither (torch
 *   recomputes inside the stage module): both are left out, and said so in the result's notes;
 * - a data-parallel stage is exported by its first replica's list: in torch, data parallelism is a separate
 *   mesh dimension and every replica runs the same pipeline schedule.
 * `compute_only` keeps only F, I, W and B.
 * DAG plans are rejected: torch's pipelining only knows chains (stage i feeds stage i+1).
 */
import { buildStageGraph, isChain } from "../plan/stage-graph.js";
import type { Plan } from "../plan/types.js";
import type { Action, Schedule } from "../schedules/types.js";
import { fail, type Issue, ok, type Result } from "../util/issues.js";

export type TorchCsvFormat = "compute_comms" | "compute_only";

export interface TorchCsv {
  readonly text: string;
  /** Rank r executes these plan devices (the stage replicas it stands for). */
  readonly rankDevices: readonly (readonly number[])[];
  /** stage index → plan stage id. */
  readonly stageIds: readonly string[];
  readonly notes: readonly string[];
}

const COMPUTE = new Set(["F", "I", "W", "B"]);

export function torchCsv(plan: Plan, schedule: Schedule, format: TorchCsvFormat = "compute_comms"): Result<TorchCsv> {
  const sg = buildStageGraph(plan);
  if (!isChain(sg)) {
    const forks = sg.ids.filter((_, i) => sg.succs[i]!.length > 1 || sg.preds[i]!.length > 1);
    const issue: Issue = {
      code: "unsupported",
      message:
        "torch.distributed.pipelining runs chains of stages only; this plan's stages form a DAG " +
        `(branching at ${forks.join(", ") || "several sources"}) — run it with dagpipe run instead`,
      path: ["plan", "stageEdges"],
      expected: "a chain plan (each stage at most one predecessor and one successor)",
      got: "a stage DAG",
    };
    return fail([issue]);
  }
  const stageIndex = new Map<string, number>();
  const stageIds = sg.topo.map((i) => sg.ids[i]!);
  stageIds.forEach((id, k) => {
    stageIndex.set(id, k);
  });
  // Ranks: distinct device groups (a stage's first replica) in chain order.
  const rankOfDevice = new Map<number, number>();
  const rankDevices: number[][] = [];
  for (const id of stageIds) {
    const stage = plan.stages[sg.byId.get(id)!]!;
    const lead = stage.devices[0]!;
    if (!rankOfDevice.has(lead)) {
      rankOfDevice.set(lead, rankDevices.length);
      rankDevices.push([...stage.devices]);
    }
  }
  const split = new Set<string>();
  for (const row of schedule.actions)
    for (const a of row) if (a.kind === "W") split.add(`${a.stage}\u0000${a.microBatch}`);
  const left = new Set<string>();
  const rows: string[][] = rankDevices.map(() => []);
  for (const [lead, rank] of rankOfDevice) {
    for (const a of schedule.actions[lead] ?? []) {
      const cell = torchAction(a, stageIndex, split);
      if (cell === undefined) {
        left.add(a.kind);
        continue;
      }
      if (format === "compute_only" && !COMPUTE.has(cell.type)) continue;
      rows[rank]!.push(cell.text);
    }
  }
  const notes: string[] = [];
  if (left.size > 0) {
    notes.push(`left out (no torch action): ${[...left].sort().join(", ")}`);
  }
  if (plan.stages.some((s) => s.dataParallel > 1)) {
    notes.push("data-parallel stages: each row is the schedule of the stage's first replica; replicas run the same");
  }
  return ok({ text: `${rows.map((r) => r.map(csvCell).join(",")).join("\n")}\n`, rankDevices, stageIds, notes });
}

function torchAction(
  a: Action,
  stageIndex: ReadonlyMap<string, number>,
  split: ReadonlySet<string>,
): { type: string; text: string } | undefined {
  const stage = stageIndex.get(a.stage);
  if (stage === undefined) return undefined;
  const mb = a.microBatch;
  switch (a.kind) {
    case "F":
      return { type: "F", text: `${stage}F${mb}` };
    case "B": {
      const type = split.has(`${a.stage}\u0000${mb}`) ? "I" : "B";
      return { type, text: `${stage}${type}${mb}` };
    }
    case "W":
      return { type: "W", text: `${stage}W${mb}` };
    case "send":
    case "recv": {
      const dir = a.tensor ?? inferTensor(a, stage, stageIndex);
      const type = `${a.kind === "send" ? "SEND" : "RECV"}_${dir === "grad" ? "B" : "F"}`;
      return { type, text: `${stage}${type}${mb}` };
    }
    case "allreduce":
      return { type: "REDUCE_GRAD", text: `${stage}REDUCE_GRAD` };
    default:
      return undefined;
  }
}

/** Without an explicit tensor field: activations go down the chain, gradients up. */
function inferTensor(a: Action, stage: number, stageIndex: ReadonlyMap<string, number>): "act" | "grad" {
  const peer = a.peerStage !== undefined ? stageIndex.get(a.peerStage) : undefined;
  if (peer === undefined) return "act";
  const downstream = peer > stage;
  return a.kind === "send" ? (downstream ? "act" : "grad") : downstream ? "grad" : "act";
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
