/**
 * The `<model>` argument of every command: a zoo name with its options (`mmt --branches 4 --layers 8`) or a
 * graph file (any format `loadGraphFile` reads). A zoo name wins over a file of the same name; write
 * `./gpt` for the file. Throws InputError (exit 2) with issues naming what was expected.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Graph } from "../graph/types.js";
import { buildZooModel, lookupModel, ZOO } from "../models/index.js";
import { InputError, type Issue, unwrap } from "../util/issues.js";
import { loadGraphFile } from "./load-graph-file.js";

export function loadModel(
  spec: string,
  modelArgs: readonly string[],
  cwd: string,
  /** Receives a file reader's warnings (an unknown ONNX operator, a guessed size): the graph still loads. */
  onWarnings?: (warnings: readonly Issue[]) => void,
): Graph {
  if (lookupModel(spec).ok) return buildZooModel(spec, modelArgs);
  const looksLikePath = /[\\/.]/.test(spec) || existsSync(resolve(cwd, spec));
  if (!looksLikePath) {
    const names = Object.keys(ZOO).join(", ");
    throw new InputError([
      {
        code: "unknown-model",
        message: `"${spec}" is neither a zoo model nor a file`,
        expected: `a zoo model (${names}) or a graph file path`,
        got: spec,
      },
    ]);
  }
  if (modelArgs.length > 0) {
    throw new InputError([
      {
        code: "bad-option",
        message: `model options apply to zoo models only, not to the file ${spec}`,
        path: [modelArgs[0]!.replace(/^-+/, "").replace(/=.*$/, "")],
        expected: "no model options after a file",
        got: modelArgs.join(" "),
      },
    ]);
  }
  const read = loadGraphFile(spec, cwd);
  if (read.ok && read.warnings && read.warnings.length > 0) onWarnings?.(read.warnings);
  return unwrap(read);
}
