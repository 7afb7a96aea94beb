/**
 * zod issues → dagpipe Issue records: the one translation every strict reader uses (graph files, plan
 * documents, hardware presets and cluster files, Hugging Face configs, FlexFlow profiles). Each zod issue
 * becomes one Issue (unknown keys: one per key) with its JSON path kept, prefixed by `basePath` when the
 * parsed value sits inside a larger document. The value at the path is read back from the parsed value, so a
 * missing field (JSON has no undefined) is told apart from a field of the wrong type, and `got` says what was
 * there. Pure and browser-safe (the hardware parsers and the plan reader are core code).
 */
import type { z } from "zod";
import { type Issue, type IssueCode, type PathSegment, toDotPath } from "./issues.js";

export interface ZodIssueContext {
  readonly file?: string;
  /** Where the parsed value sits in its document (e.g. ["V100-16GB"] for an entry of devices.json). */
  readonly basePath?: readonly PathSegment[];
  /** Code of a number out of its range: "bad-number" unless the format calls it "invalid-value" (hardware files). */
  readonly rangeCode?: IssueCode;
  /** How messages name a place, given its path inside the parsed value; default: the whole dotted path. */
  readonly placeName?: (path: readonly PathSegment[]) => string;
}

/** The value at `path` inside `root`, or undefined where the path leaves it. */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** What was found, for `got`: short, and never the whole of a long string or a large object. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return String(value);
}

/** zod's type names in words (`expected`); other names are kept as zod spells them. */
const EXPECTED: Readonly<Record<string, string>> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  tuple: "a list",
  object: "an object",
  record: "an object",
};

const PLURAL: Readonly<Record<string, string>> = {
  int: "integers",
  number: "numbers",
  string: "strings",
  boolean: "true/false values",
  array: "lists",
  object: "objects",
};

type ZodIssue = z.core.$ZodIssue;

function orList(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? "one of the allowed forms";
  if (words.length === 2) return `${words[0]} or ${words[1]}`;
  return `${words.slice(0, -1).join(", ")}, or ${words[words.length - 1]}`;
}

/** What a union accepts, read from why each of its options refused the value. */
function unionExpected(options: readonly (readonly ZodIssue[])[]): string {
  const words: string[] = [];
  for (const issues of options) {
    const first = issues[0];
    if (first === undefined) continue;
    let word: string;
    if (first.code === "invalid_type" && first.path.length === 0) word = EXPECTED[first.expected] ?? first.expected;
    else if (first.code === "invalid_type" && first.path.length === 1 && typeof first.path[0] === "number")
      word = `a list of ${PLURAL[first.expected] ?? "values"}`;
    else if (typeof first.path[0] === "number") word = "a list";
    else if (typeof first.path[0] === "string") word = "an object";
    else continue;
    if (!words.includes(word)) words.push(word);
  }
  return orList(words);
}

function relation(zi: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  return zi.code === "too_small" ? (zi.inclusive ? "≥" : ">") : zi.inclusive ? "≤" : "<";
}

export function zodIssues(error: z.ZodError, value: unknown, ctx: ZodIssueContext = {}): Issue[] {
  const base = ctx.basePath ?? [];
  const file = ctx.file === undefined ? {} : { file: ctx.file };
  const name = (rel: readonly PathSegment[]): string =>
    ctx.placeName ? ctx.placeName(rel) : toDotPath([...base, ...rel]) || "the document";
  const out: Issue[] = [];
  const push = (code: IssueCode, rel: readonly PathSegment[], what: string, expected?: string, got?: string) =>
    out.push({
      code,
      message: `${name(rel)} ${what}`,
      path: [...base, ...rel],
      ...(expected !== undefined ? { expected } : {}),
      ...(got !== undefined ? { got } : {}),
      ...file,
    });
  for (const zi of error.issues) {
    const rel: PathSegment[] = zi.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const input = valueAt(value, rel);
    switch (zi.code) {
      case "unrecognized_keys":
        for (const key of zi.keys) push("unknown-field", [...rel, key], "is not a known field", undefined, key);
        break;
      case "invalid_type": {
        const expected = EXPECTED[zi.expected] ?? zi.expected;
        if (input === undefined) push("missing-field", rel, "is missing", expected);
        else {
          // zod names values JSON cannot hold (NaN, Infinity) itself.
          const received = (zi as { received?: unknown }).received;
          push(
            "invalid-type",
            rel,
            `must be ${expected}`,
            expected,
            typeof received === "string" ? received : describeValue(input),
          );
        }
        break;
      }
      case "too_small":
      case "too_big": {
        const bound = `${relation(zi)} ${String(zi.code === "too_small" ? zi.minimum : zi.maximum)}`;
        if (zi.origin === "number" || zi.origin === "int" || zi.origin === "bigint") {
          const expected = `${zi.origin === "int" ? "an integer" : "a number"} ${bound}`;
          push(ctx.rangeCode ?? "bad-number", rel, `must be ${expected}`, expected, describeValue(input));
        } else {
          const unit = zi.origin === "array" ? " items" : zi.origin === "string" ? " characters" : "";
          push("invalid-value", rel, `must have ${bound}${unit}`, `${bound}${unit}`, describeValue(input));
        }
        break;
      }
      case "invalid_value": {
        const allowed = zi.values.map((v) => JSON.stringify(v));
        const expected = allowed.length === 1 ? allowed[0]! : `one of ${allowed.join(", ")}`;
        push("invalid-value", rel, `must be ${expected}`, expected, describeValue(input));
        break;
      }
      case "invalid_union": {
        const expected = unionExpected(zi.errors);
        push("invalid-type", rel, `must be ${expected}`, expected, describeValue(input));
        break;
      }
      default:
        push("invalid-value", rel, zi.message, undefined, describeValue(input));
    }
  }
  return out;
}
