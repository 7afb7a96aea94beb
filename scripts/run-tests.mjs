#!/usr/bin/env node
// The whole test suite: type-check, then every test/**/*.test.ts under node:test (through tsx).
// Node 20's test runner cannot glob TypeScript files itself, so the list is built here.
// The whole suite also runs Biome's lint, which keeps node modules, process and Buffer out of the core.
// Arguments are passed through to `node --test` (e.g. --test-name-pattern=...); --no-typecheck skips tsc
// and the lint.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const skipTypecheck = args.includes("--no-typecheck");
const passThrough = args.filter((a) => a !== "--no-typecheck" && a.startsWith("-"));
const only = args.filter((a) => !a.startsWith("-"));

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

if (!skipTypecheck) {
  const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--noEmit"], {
    stdio: "inherit",
  });
  if (tsc.status !== 0) {
    console.error("type check failed");
    process.exit(tsc.status ?? 1);
  }
  const lint = spawnSync(
    process.execPath,
    ["node_modules/@biomejs/biome/bin/biome", "check", "--error-on-warnings", "."],
    {
      stdio: "inherit",
    },
  );
  if (lint.status !== 0) {
    console.error("lint failed (npx biome check . shows why; npm run format fixes formatting)");
    process.exit(lint.status ?? 1);
  }
}
const files = only.length > 0 ? only : findTests("test");
const run = spawnSync(process.execPath, ["--import", "tsx", "--test", ...passThrough, ...files], { stdio: "inherit" });
process.exit(run.status ?? 1);
