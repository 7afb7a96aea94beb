/** Issues → text for people: "✖ message" then "→ at file path:line". Pure; the data stays in the issues. */
import { type Issue, toDotPath } from "../util/issues.js";

export function formatIssue(issue: Issue): string {
  const lines = [`✖ ${issue.message}`];
  if (issue.expected !== undefined || issue.got !== undefined) {
    const parts: string[] = [];
    if (issue.expected !== undefined) parts.push(`expected ${issue.expected}`);
    if (issue.got !== undefined) parts.push(`got ${issue.got}`);
    lines.push(`  ${parts.join(", ")}`);
  }
  const where: string[] = [];
  if (issue.file) where.push(issue.line !== undefined ? `${issue.file}:${issue.line}` : issue.file);
  const path = toDotPath(issue.path);
  if (path) where.push(path);
  if (where.length > 0) lines.push(`  → at ${where.join(" ")}`);
  return lines.join("\n");
}

/** All issues, one block each; long lists are cut with a count so a bad file never floods the terminal. */
export function formatIssues(issues: readonly Issue[], max = 50): string {
  const shown = issues.slice(0, max).map(formatIssue);
  if (issues.length > max) shown.push(`… and ${issues.length - max} more`);
  return shown.join("\n");
}
