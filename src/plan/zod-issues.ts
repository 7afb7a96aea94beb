/**
 * zod issues → dagpipe Issue records with the JSON path kept. An undefined input means a missing key (JSON has
 * no undefined); the value found is read back from the parsed document for `got`.
 */
import type { z } from "zod";
import type { Issue, PathSegment } from "../util/issues.js";

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return String(value);
}

function field(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  return last === undefined ? "the document" : typeof last === "number" ? `item ${last}` : `"${last}"`;
}

export function zodIssues(error: z.ZodError, root: unknown, file?: string): Issue[] {
  const where = file === undefined ? {} : { file };
  const out: Issue[] = [];
  for (const zi of error.issues) {
    const path: PathSegment[] = zi.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const input = valueAt(root, path);
    switch (zi.code) {
      case "unrecognized_keys":
        for (const key of zi.keys) {
          out.push({ code: "unknown-field", message: `unknown field "${key}"`, path: [...path, key], ...where });
        }
        break;
      case "invalid_type":
        if (input === undefined) {
          out.push({
            code: "missing-field",
            message: `missing field ${field(path)}`,
            path,
            expected: zi.expected,
            ...where,
          });
        } else {
          out.push({
            code: "invalid-type",
            message: `${field(path)} has the wrong type`,
            path,
            expected: zi.expected === "int" ? "an integer" : zi.expected,
            got: describe(input),
            ...where,
          });
        }
        break;
      case "too_small":
      case "too_big": {
        const bound = zi.code === "too_small" ? zi.minimum : zi.maximum;
        const op = zi.code === "too_small" ? (zi.inclusive ? "≥" : ">") : zi.inclusive ? "≤" : "<";
        out.push({
          code: zi.origin === "number" ? "bad-number" : "invalid-value",
          message: `${field(path)} is out of range`,
          path,
          expected: zi.origin === "number" ? `${op} ${String(bound)}` : `length ${op} ${String(bound)}`,
          got: describe(input),
          ...where,
        });
        break;
      }
      case "invalid_value":
        out.push({
          code: "invalid-value",
          message: `${field(path)} has a value that is not allowed`,
          path,
          expected: zi.values.map((v) => JSON.stringify(v)).join(" | "),
          got: describe(input),
          ...where,
        });
        break;
      default:
        out.push({
          code: "invalid-value",
          message: `${field(path)}: ${zi.message}`,
          path,
          got: describe(input),
          ...where,
        });
    }
  }
  return out;
}
