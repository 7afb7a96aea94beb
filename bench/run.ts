/**
 * `npm run bench [name…]`: runs the benchmarks in bench/*.bench.ts (each exports `bench: Bench`) and prints
 * their tables with the machine they ran on. Results worth keeping go to bench/RESULTS.md with this command.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Bench, machineLabel } from "./harness.js";

const dir = fileURLToPath(new URL(".", import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .sort();
console.log(`machine: ${machineLabel()}`);
for (const f of files) {
  const mod = (await import(pathToFileURL(dir + f).href)) as { bench: Bench };
  if (wanted.length > 0 && !wanted.includes(mod.bench.name)) continue;
  console.log(`\n## ${mod.bench.name}: ${mod.bench.description}\n`);
  await mod.bench.run();
}
