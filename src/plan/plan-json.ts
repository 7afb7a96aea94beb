/**
 * The plan document (docs/formats.md "Plan") read and written as JSON. Reading collects every problem: JSON
 * syntax (with line and column), then the shape (strict zod schema), then the graph (validateGraph) and the
 * plan against its graph and cluster (validatePlan). Each issue names the file, the JSON path and, where it
 * can be found, the line.
 */
import { validateGraph } from "../graph/validate.js";
import { fail, type Issue, ok, type PathSegment, type Result } from "../util/issues.js";
import { zodIssues } from "../util/zod-issues.js";
import { planDocumentSchema } from "./document-schema.js";
import { lineOfPath } from "./json-line.js";
import type { PlanDocument } from "./types.js";
import { validatePlan } from "./validate-plan.js";

/** Issues beyond this many get no line number (each lookup scans the text; a report shows 50 at most). */
const MAX_LOCATED = 50;

export function readPlanJson(text: string, file?: string): Result<PlanDocument> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail([syntaxIssue(text, (e as Error).message, file)]);
  }
  const parsed = planDocumentSchema.safeParse(raw);
  if (!parsed.success) return fail(locate(text, zodIssues(parsed.error, raw, file === undefined ? {} : { file })));
  const doc = parsed.data as PlanDocument;
  const graphIssues = validateGraph(doc.graph).map((i) => within(i, ["graph"], file));
  if (graphIssues.length > 0) return fail(locate(text, graphIssues));
  const planIssues = validatePlan(doc.plan, doc.graph, doc.cluster).map((i) => within(i, ["plan"], file));
  if (planIssues.length > 0) return fail(locate(text, planIssues));
  return ok(doc);
}

/** Pretty JSON with a final newline; `readPlanJson(writePlanJson(d))` gives back `d`. */
export function writePlanJson(doc: PlanDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function within(issue: Issue, prefix: readonly PathSegment[], file: string | undefined): Issue {
  return { ...issue, path: [...prefix, ...(issue.path ?? [])], ...(file === undefined ? {} : { file }) };
}

function locate(text: string, issues: readonly Issue[]): Issue[] {
  return issues.map((issue, k) => {
    if (k >= MAX_LOCATED || issue.line !== undefined || !issue.path) return issue;
    const line = lineOfPath(text, issue.path);
    return line === undefined ? issue : { ...issue, line };
  });
}

function syntaxIssue(text: string, message: string, file: string | undefined): Issue {
  const m = /position (\d+)/.exec(message);
  const where = file === undefined ? {} : { file };
  if (!m) return { code: "parse-error", message: `not valid JSON: ${message}`, ...where };
  const pos = Number(m[1]);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return {
    code: "parse-error",
    message: `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, "")}`,
    line,
    column: pos - lineStart + 1,
    ...where,
  };
}
