/**
 * The `<model>` argument of every command: a zoo name with its options (`mmt --branches 4 --layers 8`) or a
 * graph file (any format `loadGraphFile` reads) with the one option a file may need, `--profile-batch N` (the
 * batch a PipeDream profile was measured at). A zoo name wins over a file of the same name; write `./gpt` for
 * the file. Throws InputError (exit 2) with issues naming what was expected.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Graph } from "../graph/types.js";
import { buildZooModel, lookupModel, ZOO } from "../models/index.js";
import { InputError, type Issue, unwrap } from "../util/issues.js";
import { type GraphFileOptions, loadGraphFile } from "./load-graph-file.js";

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
  const options = graphFileOptions(spec, modelArgs);
  const read = loadGraphFile(spec, cwd, options);
  if (read.ok && options.profileBatch !== undefined && read.value.source?.["format"] !== "pipedream-graph") {
    throw new InputError([
      {
        code: "bad-option",
        message: `--profile-batch applies to PipeDream profiles, and ${spec} is not one`,
        path: ["profile-batch"],
        file: spec,
        expected: "a PipeDream graph.txt",
      },
    ]);
  }
  if (read.ok && read.warnings && read.warnings.length > 0) onWarnings?.(read.warnings);
  return unwrap(read);
}

/** The words after a graph file: only `--profile-batch N` (or `=N`) is a file option. */
function graphFileOptions(spec: string, words: readonly string[]): GraphFileOptions {
  const rest = [...words];
  let profileBatch: number | undefined;
  while (rest.length > 0) {
    const word = rest.shift()!;
    const m = /^--profile-batch(?:=(.*))?$/.exec(word);
    if (!m) {
      throw new InputError([
        {
          code: "bad-option",
          message: `model options apply to zoo models only, not to the file ${spec}`,
          path: [word.replace(/^-+/, "").replace(/=.*$/, "")],
          expected: "no model options after a file but --profile-batch N",
          got: [word, ...rest].join(" "),
        },
      ]);
    }
    const raw = m[1] ?? rest.shift();
    if (profileBatch !== undefined) {
      throw new InputError([
        {
          code: "bad-option",
          message: "--profile-batch given twice",
          path: ["profile-batch"],
          expected: "one --profile-batch",
          got: `${profileBatch} and ${raw ?? "nothing"}`,
        },
      ]);
    }
    if (raw === undefined || !/^[1-9]\d*$/.test(raw)) {
      throw new InputError([
        {
          code: "bad-option",
          message: "--profile-batch must be a positive integer (the batch the profile was measured at)",
          path: ["profile-batch"],
          expected: "a positive integer",
          got: raw ?? "nothing",
        },
      ]);
    }
    profileBatch = Number(raw);
  }
  return profileBatch === undefined ? {} : { profileBatch };
}
