/**
 * `dagpipe inspect gpt --layers 2000` (16,005 ops) end to end. Target (task B): under 1 s on this machine.
 * In-process: the CLI's main() with a fake IO (first call cold, then best of 5), and its parts. As a command:
 * `node bin/dagpipe.js …` run from the TypeScript sources (tsx, what a fresh clone without a build does) and
 * from a compiled build (what `npm ci` gives through `prepare`; built here into .bench-tmp/ so the shared
 * tree's dist/ is left alone).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { main } from "../src/cli/main.js";
import { buildZooModel } from "../src/models/index.js";
import { formatInspect } from "../src/report/inspect-format.js";
import { summarizeGraph } from "../src/report/inspect-summary.js";
import { fakeIO } from "../test/helpers/cli.js";
import { type Bench, table, timeBest } from "./harness.js";

const ARGS = ["inspect", "gpt", "--layers", "2000"];
const ms = (sec: number) => (sec * 1000).toFixed(0);

async function inProcess(): Promise<(string | number)[][]> {
  const run = async () => {
    const io = fakeIO();
    const code = await main([...ARGS, "--json"], io);
    if (code !== 0) throw new Error(io.stderr);
    return JSON.parse(io.stdout) as { ops: number };
  };
  const t0 = performance.now();
  const first = await run();
  const coldSec = (performance.now() - t0) / 1000;
  const warm = await timeBest(5, run);
  const build = await timeBest(5, () => buildZooModel("gpt", ["--layers", "2000"]));
  const summary = await timeBest(5, () => summarizeGraph(build.value));
  const format = await timeBest(5, () => formatInspect(summary.value));
  return [
    ["main(inspect --json), first call", first.ops, ms(coldSec), ""],
    ["main(inspect --json), best of 5", warm.value.ops, ms(warm.sec), ""],
    ["  zoo build (buildGraph)", build.value.ops.length, ms(build.sec), ""],
    ["  summary (SP decomposition, branches, critical path)", build.value.ops.length, ms(summary.sec), ""],
    ["  table", "", ms(format.sec), ""],
  ];
}

/** Prints the process's CPU time (user + system) on exit, so load from other processes can be told apart. */
const CPU_PROBE =
  'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write("\\ncpu-ms "+(u.user+u.system)/1000+"\\n")})';

function command(label: string, bin: string, env: NodeJS.ProcessEnv): (string | number)[] {
  let best = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ["--import", CPU_PROBE, bin, ...ARGS], {
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    const sec = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr}`);
    best = Math.min(best, sec);
    const cpu = /cpu-ms ([\d.]+)/.exec(r.stderr);
    if (cpu) bestCpu = Math.min(bestCpu, Number(cpu[1]));
  }
  return [label, "", ms(best), bestCpu.toFixed(0)];
}

/** Compiles src/ into .bench-tmp/dist with a copy of bin/ beside it (bin looks for ../dist). */
function buildCopy(): string | undefined {
  const root = ".bench-tmp/inspect";
  rmSync(root, { recursive: true, force: true });
  mkdirSync(`${root}/bin`, { recursive: true });
  const tsc = spawnSync(
    process.execPath,
    ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json", "--outDir", `${root}/dist`],
    { encoding: "utf8" },
  );
  if (!existsSync(`${root}/dist/cli/main.js`)) {
    console.log(`(build failed, compiled run skipped)\n${tsc.stdout}${tsc.stderr}`);
    return undefined;
  }
  copyFileSync("bin/dagpipe.js", `${root}/bin/dagpipe.js`);
  return `${root}/bin/dagpipe.js`;
}

export const bench: Bench = {
  name: "inspect",
  description: "dagpipe inspect gpt --layers 2000 (16,005 ops): in-process and as a command (ms)",
  async run() {
    const rows = await inProcess();
    rows.push(
      command("node bin/dagpipe.js (from sources, tsx), best of 5", "bin/dagpipe.js", { DAGPIPE_FROM_SOURCE: "1" }),
    );
    const built = buildCopy();
    if (built) rows.push(command("node bin/dagpipe.js (compiled build), best of 5", built, {}));
    console.log(table(["what", "ops", "wall ms", "process CPU ms"], rows));
    console.log(
      `load average while measuring: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(", ")}`,
    );
    rmSync(".bench-tmp/inspect", { recursive: true, force: true });
  },
};
