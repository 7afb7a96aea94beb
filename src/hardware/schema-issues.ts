/**
 * zod issues → dagpipe Issue records (code, path, expected, got). The hardware parsers use zod for the shape
 * of preset and cluster JSON; this turns every problem zod found into one Issue, with the JSON path kept.
 * Parse with `{ reportInput: true }` so a missing field can be told apart from a wrong one.
 */
import type { z } from "zod";
import type { Issue, PathSegment } from "../util/issues.js";

export interface IssueContext {
  readonly file?: string;
  /** Prepended to every zod path (e.g. ["V100-16GB"] for an entry of devices.json). */
  readonly basePath?: readonly PathSegment[];
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : String(value);
}

function where(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  return last === undefined ? "document" : typeof last === "number" ? `item ${last}` : `"${last}"`;
}

export function zodToIssues(error: z.ZodError, ctx: IssueContext = {}): Issue[] {
  const base = ctx.basePath ?? [];
  const file = ctx.file === undefined ? {} : { file: ctx.file };
  const issues: Issue[] = [];
  for (const zi of error.issues) {
    const path: PathSegment[] = [...base, ...zi.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
    const raw = zi as unknown as Record<string, unknown>;
    // JSON has no undefined: an undefined input is a missing key.
    const input = raw["input"];
    switch (zi.code) {
      case "unrecognized_keys":
        for (const key of zi.keys) {
          issues.push({ code: "unknown-field", message: `unknown field "${key}"`, path: [...path, key], ...file });
        }
        break;
      case "invalid_type":
        if (input === undefined) {
          issues.push({
            code: "missing-field",
            message: `missing field ${where(path)}`,
            path,
            expected: zi.expected,
            ...file,
          });
        } else {
          const got = typeof raw["received"] === "string" ? String(raw["received"]) : describe(input);
          issues.push({
            code: "invalid-type",
            message: `${where(path)} must be ${zi.expected === "int" ? "an integer" : `a ${zi.expected}`}`,
            path,
            expected: zi.expected,
            got,
            ...file,
          });
        }
        break;
      case "too_small":
      case "too_big": {
        const bound = zi.code === "too_small" ? zi.minimum : zi.maximum;
        const op = zi.code === "too_small" ? (zi.inclusive ? "≥" : ">") : zi.inclusive ? "≤" : "<";
        const expected = zi.origin === "array" ? `${op} ${String(bound)} items` : `${op} ${String(bound)}`;
        issues.push({
          code: "invalid-value",
          message: `${where(path)} is out of range`,
          path,
          expected,
          got: describe(input),
          ...file,
        });
        break;
      }
      case "invalid_value":
        issues.push({
          code: "invalid-value",
          message: `${where(path)} has an unknown value`,
          path,
          expected: `one of ${zi.values.map((v) => JSON.stringify(v)).join(", ")}`,
          got: describe(input),
          ...file,
        });
        break;
      case "invalid_union":
        issues.push({
          code: "invalid-type",
          message: `${where(path)} has the wrong type`,
          path,
          expected: "a name or an object (see docs/formats.md)",
          got: describe(input),
          ...file,
        });
        break;
      default:
        issues.push({ code: "invalid-value", message: `${where(path)}: ${zi.message}`, path, ...file });
    }
  }
  return issues;
}
