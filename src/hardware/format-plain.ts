/** Issues as plain lines for internal errors (a broken preset); people-facing text lives in src/report/. */
import { type Issue, toDotPath } from "../util/issues.js";

export function formatIssuesPlain(issues: readonly Issue[]): string {
  return issues
    .map((i) => {
      const where = [i.file, toDotPath(i.path)].filter((s) => s).join(" ");
      const detail = [
        i.expected === undefined ? "" : `expected ${i.expected}`,
        i.got === undefined ? "" : `got ${i.got}`,
      ]
        .filter((s) => s)
        .join(", ");
      return `  ${where}: ${i.message}${detail ? ` (${detail})` : ""}`;
    })
    .join("\n");
}
