/**
 * A plan document the user named (`dagpipe plan --out`): read, parsed and validated. Every command that takes
 * a plan (simulate, run, export) reads it here. Throws InputError (exit 2) naming the file, with the operating
 * system's reason when it cannot be read, or the line and JSON path of what is wrong in it.
 */
import { readFileSync } from "node:fs";
import { readPlanJson } from "../plan/plan-json.js";
import type { PlanDocument } from "../plan/types.js";
import { InputError, unwrap } from "../util/issues.js";

export function readPlanFile(path: string, shownAs: string): PlanDocument {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InputError([
      {
        code: "parse-error",
        message: code === "ENOENT" ? `${shownAs} does not exist` : `cannot read the plan file (${code})`,
        file: shownAs,
        expected: "a plan document written by dagpipe plan --out",
      },
    ]);
  }
  return unwrap(readPlanJson(text, shownAs));
}
