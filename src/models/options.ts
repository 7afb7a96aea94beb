/**
 * Model options: each zoo model declares its options (name, type, default, description), and
 * `parseModelArgs` turns command-line words (`--layers 8 --no-bias --mlp=swiglu`) into checked values.
 * Pure (no process access), so a web page can use the same parser.
 */
import type { Graph } from "../graph/types.js";
import type { Issue, Result } from "../util/issues.js";
import { fail, ok } from "../util/issues.js";

export type OptionValue = number | boolean | string;
export type OptionValues = Readonly<Record<string, OptionValue>>;

interface OptionBase {
  readonly name: string;
  readonly description: string;
  /** Shown instead of the default when the default is computed from other options ("4·hidden"). */
  readonly defaultText?: string;
}

export type OptionSpec =
  | (OptionBase & { readonly type: "int"; readonly default: number; readonly min?: number })
  | (OptionBase & { readonly type: "number"; readonly default: number; readonly min?: number })
  | (OptionBase & { readonly type: "boolean"; readonly default: boolean })
  | (OptionBase & { readonly type: "enum"; readonly default: string; readonly values: readonly string[] });

export interface ModelEntry {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Builds the graph from complete, checked option values; throws InputError on inconsistent values. */
  build(values: OptionValues): Graph;
}

/** The graph dtype option every model has. */
export const DTYPE_OPTION: OptionSpec = {
  name: "dtype",
  type: "enum",
  default: "fp16",
  values: ["fp16", "bf16", "fp32"],
  description: "activation and weight precision (fp16/bf16 = mixed-precision training)",
};

/** camelCase option name → its --kebab-case flag. */
export function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Every option at its default. */
export function defaultValues(entry: ModelEntry): Record<string, OptionValue> {
  return Object.fromEntries(entry.options.map((o) => [o.name, o.default]));
}

/**
 * Parses `--name value`, `--name=value`, `--flag` / `--no-flag` (booleans). Flags may be kebab-case or the
 * camelCase option name. Every problem becomes a `bad-option` issue whose path is the option's name.
 */
export function parseModelArgs(entry: ModelEntry, args: readonly string[]): Result<OptionValues> {
  const issues: Issue[] = [];
  const values = defaultValues(entry);
  const byFlag = new Map<string, OptionSpec>();
  for (const o of entry.options) {
    byFlag.set(flagOf(o.name), o);
    byFlag.set(`--${o.name}`, o);
  }
  const valid = entry.options.map((o) => flagOf(o.name)).join(", ");
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const eq = word.indexOf("=");
    const flag = eq >= 0 ? word.slice(0, eq) : word;
    let spec = byFlag.get(flag);
    let negated = false;
    if (!spec && flag.startsWith("--no-")) {
      const positive = byFlag.get(`--${flag.slice(5)}`);
      if (positive?.type === "boolean") {
        spec = positive;
        negated = true;
      }
    }
    if (!spec) {
      // An unknown flag's value would read as a stray word: skip it with the flag.
      if (eq < 0 && word.startsWith("-") && args[i + 1] !== undefined && !args[i + 1]!.startsWith("-")) i++;
      issues.push({
        code: "bad-option",
        message: word.startsWith("-") ? `${entry.name} has no option ${flag}` : `unexpected argument "${word}"`,
        path: [flag.replace(/^-+/, "")],
        expected: entry.options.length > 0 ? `one of ${valid}` : "no options",
        got: word,
      });
      continue;
    }
    let raw: string | undefined;
    if (eq >= 0) raw = word.slice(eq + 1);
    else if (spec.type === "boolean") {
      const next = args[i + 1];
      if (!negated && (next === "true" || next === "false")) raw = args[++i];
    } else raw = args[++i];
    if (negated && raw !== undefined) {
      issues.push(badValue(entry, spec, word, "no value after --no-…"));
      continue;
    }
    const v = spec.type === "boolean" && raw === undefined ? !negated : convert(spec, raw);
    if (v === undefined) issues.push(badValue(entry, spec, raw ?? "(nothing)", expectedOf(spec)));
    else values[spec.name] = v;
  }
  return issues.length > 0 ? fail(issues) : ok(values);
}

function convert(spec: OptionSpec, raw: string | undefined): OptionValue | undefined {
  if (raw === undefined) return undefined;
  switch (spec.type) {
    case "int": {
      if (!/^-?\d+$/.test(raw.replace(/_/g, ""))) return undefined;
      const n = Number(raw.replace(/_/g, ""));
      return Number.isSafeInteger(n) && n >= (spec.min ?? 0) ? n : undefined;
    }
    case "number": {
      const n = Number(raw);
      return raw.trim() !== "" && Number.isFinite(n) && n >= (spec.min ?? 0) ? n : undefined;
    }
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : undefined;
    case "enum":
      return spec.values.includes(raw) ? raw : undefined;
  }
}

function expectedOf(spec: OptionSpec): string {
  switch (spec.type) {
    case "int":
      return `an integer ≥ ${spec.min ?? 0}`;
    case "number":
      return `a number ≥ ${spec.min ?? 0}`;
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${spec.values.join(", ")}`;
  }
}

function badValue(entry: ModelEntry, spec: OptionSpec, got: string, expected: string): Issue {
  return {
    code: "bad-option",
    message: `${entry.name} ${flagOf(spec.name)}: bad value`,
    path: [spec.name],
    expected,
    got,
  };
}
