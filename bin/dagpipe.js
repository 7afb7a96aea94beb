#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci` through `prepare`); falls back to the TypeScript sources through
// tsx when there is no build yet or when DAGPIPE_FROM_SOURCE=1 (tests use this so they never see a stale build).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = `${root}dist/cli/main.js`;
let entry;
if (process.env.DAGPIPE_FROM_SOURCE !== "1" && existsSync(built)) {
  entry = built;
} else {
  const { register } = await import("tsx/esm/api");
  register();
  entry = `${root}src/cli/main.ts`;
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
