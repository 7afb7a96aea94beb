/**
 * zod's issues on a graph file → dagpipe Issues: code, JSON path, expected and got, with messages that name
 * the op (`op "layer3.fc1" (ops[12])`) so a reader of a long file knows which op is meant.
 */
import type { z } from "zod";
import type { Issue, IssueCode, PathSegment } from "../util/issues.js";
import { toDotPath } from "../util/issues.js";

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

/** "op "x" (ops[3])" for paths inside an op, else the dotted path. */
export function placeName(root: unknown, path: readonly PathSegment[]): string {
  if (path[0] === "ops" && typeof path[1] === "number") {
    const id = valueAt(root, ["ops", path[1], "id"]);
    const rest = toDotPath(path.slice(2));
    const op = typeof id === "string" ? `op "${id}" (ops[${path[1]}])` : `ops[${path[1]}]`;
    return rest === "" ? op : `${op} ${rest}`;
  }
  return toDotPath(path) || "the document";
}

const EXPECTED: Readonly<Record<string, string>> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "an object",
};

export function graphZodIssues(error: z.ZodError, root: unknown): Issue[] {
  const out: Issue[] = [];
  const push = (code: IssueCode, path: PathSegment[], what: string, expected?: string, got?: string) =>
    out.push({
      code,
      message: `${placeName(root, path)} ${what}`,
      path,
      ...(expected !== undefined ? { expected } : {}),
      ...(got !== undefined ? { got } : {}),
    });
  for (const zi of error.issues) {
    const path: PathSegment[] = zi.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const input = valueAt(root, path);
    switch (zi.code) {
      case "unrecognized_keys":
        for (const key of zi.keys) push("unknown-field", [...path, key], "is not a known field", undefined, key);
        break;
      case "invalid_type": {
        const expected = EXPECTED[zi.expected] ?? zi.expected;
        if (input === undefined) push("missing-field", path, "is missing", expected);
        else push("invalid-type", path, `must be ${expected}`, expected, describe(input));
        break;
      }
      case "too_small":
      case "too_big": {
        const bound = zi.code === "too_small" ? zi.minimum : zi.maximum;
        const rel = zi.code === "too_small" ? (zi.inclusive ? "≥" : ">") : zi.inclusive ? "≤" : "<";
        const numeric = zi.origin === "number" || zi.origin === "int" || zi.origin === "bigint";
        const what = zi.origin === "int" ? "an integer" : "a number";
        const expected = numeric ? `${what} ${rel} ${String(bound)}` : `length ${rel} ${String(bound)}`;
        push(numeric ? "bad-number" : "invalid-value", path, `must be ${expected}`, expected, describe(input));
        break;
      }
      case "invalid_value": {
        const expected = `one of ${zi.values.map((v) => JSON.stringify(v)).join(", ")}`;
        if (path[path.length - 1] === "kind")
          push("unknown-kind", path, `${describe(input)} is not an op kind`, expected, describe(input));
        else push("invalid-value", path, `must be ${expected}`, expected, describe(input));
        break;
      }
      case "invalid_union":
        push(
          "invalid-type",
          path,
          "must be a number, string, boolean or list of numbers",
          "an attribute value",
          describe(input),
        );
        break;
      default:
        push("invalid-value", path, zi.message, undefined, describe(input));
    }
  }
  return out;
}
