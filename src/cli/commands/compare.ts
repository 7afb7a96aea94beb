/**
 * `dagpipe compare <model> --gpus N …`: every planner on the same model, cluster and batch, one table, every
 * plan timed by the same simulator. With `--async` the sequential planner may also pick PipeDream-2BW (marked
 * by its schedule). Exit 0 when at least one planner found a plan, 1 when none did, 2 on bad input.
 */
import type { Command } from "commander";
import { PLANNER_NAMES } from "../../planners/types.js";
import type { PlanFailureSummary } from "../../report/plan-summary.js";
import { formatComparison } from "../../report/plan-table.js";
import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";
import { MODEL_ARG_HELP } from "../model-arg.js";
import { addPlanningOptions, type PlanningOptions, planningSetup, progressReporter, runTimed } from "./plan.js";

export const compareCommand: CliCommand = {
  name: "compare",
  register(program, ctx) {
    addPlanningOptions(
      program
        .command("compare")
        .description("Run every planner on the same model and cluster; one table, every plan timed by the simulator")
        .argument("<model>", MODEL_ARG_HELP),
    ).action(
      runAction(ctx, async (_model: string, opts: PlanningOptions, cmd: Command) => {
        const io = ctx.io;
        const setup = planningSetup(cmd, opts, io);
        const progress = progressReporter(io);
        const runs = [];
        for (const name of PLANNER_NAMES) runs.push(await runTimed(name, setup, progress.onProgress, opts.remat));
        progress.stop();
        const summaries = runs.map((r) => r.summary);
        if (opts.json) {
          io.out(
            `${JSON.stringify(
              {
                model: setup.header.model,
                cluster: setup.cluster.name,
                devices: setup.cluster.nodes * setup.cluster.devicesPerNode,
                batch: setup.header.batch,
                results: summaries,
              },
              null,
              2,
            )}\n`,
          );
        } else {
          io.out(`${formatComparison(summaries, setup.header)}\n`);
          const least = summaries
            .filter((s): s is PlanFailureSummary => !s.ok)
            .map((s) => s.leastMemBytes)
            .filter((x): x is number => x !== undefined);
          if (least.length > 0 && summaries.every((s) => !s.ok)) {
            io.out(`least device memory with which a plan exists: ${(Math.min(...least) / 2 ** 30).toFixed(2)} GiB\n`);
          }
        }
        return summaries.some((s) => s.ok) ? EXIT.ok : EXIT.cannotMeet;
      }),
    );
  },
};
