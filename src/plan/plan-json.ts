/**
 * The plan document (docs/formats.md "Plan") read and written as JSON. Reading collects every problem: JSON
 * syntax (with line and column), then the shape (strict zod schema), then the graph (validateGraph) and the
 * plan against its graph and cluster (validatePlan). Each issue names the file, the JSON path and, where it
 * can be found, the line.
 */
import { validateGraph } from "../graph/validate.js";
import { fail, type Issue, ok, type PathSegment, type Result } from "../util/issues.js";
import { locateIssues, parseJsonText } from "../util/json-text.js";
import { zodIssues } from "../util/zod-issues.js";
import { planDocumentSchema } from "./document-schema.js";
import type { PlanDocument } from "./types.js";
import { validatePlan } from "./validate-plan.js";

export function readPlanJson(text: string, file?: string): Result<PlanDocument> {
  const json = parseJsonText(text, file);
  if (!json.ok) return json;
  const raw = json.value;
  const parsed = planDocumentSchema.safeParse(raw);
  if (!parsed.success) return fail(locateIssues(text, zodIssues(parsed.error, raw), file));
  const doc = parsed.data as PlanDocument;
  const graphIssues = validateGraph(doc.graph).map((i) => within(i, ["graph"]));
  if (graphIssues.length > 0) return fail(locateIssues(text, graphIssues, file));
  const planIssues = validatePlan(doc.plan, doc.graph, doc.cluster).map((i) => within(i, ["plan"]));
  if (planIssues.length > 0) return fail(locateIssues(text, planIssues, file));
  return ok(doc);
}

/** Pretty JSON with a final newline; `readPlanJson(writePlanJson(d))` gives back `d`. */
export function writePlanJson(doc: PlanDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function within(issue: Issue, prefix: readonly PathSegment[]): Issue {
  return { ...issue, path: [...prefix, ...(issue.path ?? [])] };
}
