/**
 * Optimizer presets: bytes held per parameter for weights + gradients + optimizer state.
 * - adam-mixed: fp16 weights 2 + fp16 gradients 2 + fp32 master weights 4 + Adam m 4 + v 4 = 16 (ZeRO paper's K = 12 + 4)
 * - adam-fp32:  fp32 weights 4 + gradients 4 + m 4 + v 4 = 16
 * - sgd:        weights + gradients (+ fp32 master copy in mixed precision: 2 + 2 + 4) = 8
 * - sgd-momentum: sgd + a momentum buffer 4 = 12
 */
import type { Issue, Result } from "../util/issues.js";
import { DEFAULT_OPTIMIZER, type OptimizerSpec } from "./types.js";

export const OPTIMIZERS: Readonly<Record<OptimizerSpec["name"], OptimizerSpec>> = {
  "adam-mixed": DEFAULT_OPTIMIZER,
  "adam-fp32": { name: "adam-fp32", bytesPerParam: 16 },
  sgd: { name: "sgd", bytesPerParam: 8 },
  "sgd-momentum": { name: "sgd-momentum", bytesPerParam: 12 },
};

/** An optimizer preset by name; a miss lists the names. */
export function findOptimizer(name: string): Result<OptimizerSpec> {
  const spec = (OPTIMIZERS as Record<string, OptimizerSpec | undefined>)[name.toLowerCase()];
  if (spec !== undefined) return { ok: true, value: spec };
  const issue: Issue = {
    code: "bad-option",
    message: `unknown optimizer "${name}"`,
    path: ["optimizer"],
    expected: `one of ${Object.keys(OPTIMIZERS).join(", ")}`,
    got: name,
  };
  return { ok: false, issues: [issue] };
}
