/**
 * Typed reads of an op's attributes that collect every problem as an Issue (path `attrs.<name>`, relative
 * to the op) instead of throwing, so a file with several bad attributes reports them all at once.
 */
import type { Issue } from "../../util/issues.js";
import type { AttrValue, OpAttrs } from "../types.js";

interface IntOptions {
  readonly min?: number;
  readonly default?: number;
}

interface NumOptions {
  readonly min?: number;
  /** Exclusive upper bound (dropout p < 1). */
  readonly below?: number;
  readonly default?: number;
}

export class AttrReader {
  /** True once any read failed; derivations stop when it is set. */
  failed = false;
  /** Defaults that were used, so the op's attributes can be written out complete (the runtime reads them). */
  filled: Record<string, AttrValue> | undefined;

  constructor(
    private readonly opId: string,
    readonly raw: OpAttrs,
    private readonly issues: Issue[],
  ) {}

  /** A non-negative-or-`min` integer; missing → the default or a `missing-field` issue. */
  int(name: string, opts: IntOptions = {}): number {
    const v = this.get(name, opts.default);
    if (v === undefined) return Number.NaN;
    if (typeof v !== "number" || !Number.isInteger(v)) return this.bad("invalid-type", name, "an integer", v);
    const min = opts.min ?? 0;
    if (v < min) return this.bad("invalid-value", name, `an integer ≥ ${min}`, v);
    return v;
  }

  num(name: string, opts: NumOptions = {}): number {
    const v = this.get(name, opts.default);
    if (v === undefined) return Number.NaN;
    if (typeof v !== "number" || !Number.isFinite(v)) return this.bad("invalid-type", name, "a finite number", v);
    if (opts.min !== undefined && v < opts.min) return this.bad("invalid-value", name, `a number ≥ ${opts.min}`, v);
    if (opts.below !== undefined && v >= opts.below) {
      return this.bad("invalid-value", name, `a number < ${opts.below}`, v);
    }
    return v;
  }

  bool(name: string, dflt?: boolean): boolean {
    const v = this.get(name, dflt);
    if (v === undefined) return false;
    if (typeof v !== "boolean") {
      this.bad("invalid-type", name, "true or false", v);
      return false;
    }
    return v;
  }

  oneOf<T extends string>(name: string, values: readonly T[], dflt?: T): T {
    const v = this.get(name, dflt);
    const first = values[0] as T;
    if (v === undefined) return first;
    if (typeof v !== "string" || !(values as readonly string[]).includes(v)) {
      this.bad(typeof v === "string" ? "invalid-value" : "invalid-type", name, `one of ${values.join(", ")}`, v);
      return first;
    }
    return v as T;
  }

  str(name: string, dflt?: string): string {
    const v = this.get(name, dflt);
    if (v === undefined) return "";
    if (typeof v !== "string") {
      this.bad("invalid-type", name, "a string", v);
      return "";
    }
    return v;
  }

  /** A list of integers ≥ `min`; `length` fixes its length (kernel: 2). */
  ints(name: string, opts: { readonly length?: number; readonly min?: number; readonly default?: readonly number[] }) {
    const v = this.get(name, opts.default);
    if (v === undefined) return [];
    const min = opts.min ?? 0;
    const what = opts.length !== undefined ? `a list of ${opts.length} integers ≥ ${min}` : `a list of integers`;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isInteger(x))) {
      this.bad("invalid-type", name, what, v);
      return [];
    }
    if (opts.length !== undefined && v.length !== opts.length) {
      this.bad("invalid-value", name, what, v);
      return [];
    }
    if (opts.length !== undefined && v.some((x) => x < min)) {
      this.bad("invalid-value", name, what, v);
      return [];
    }
    return v as readonly number[];
  }

  private get(name: string, dflt: AttrValue | undefined): AttrValue | undefined {
    const v = Object.hasOwn(this.raw, name) ? this.raw[name] : undefined;
    if (v !== undefined) return v;
    if (dflt !== undefined) {
      if (this.filled === undefined) this.filled = {};
      this.filled[name] = dflt;
      return dflt;
    }
    this.failed = true;
    this.issues.push({
      code: "missing-field",
      message: `op "${this.opId}": attribute "${name}" is missing`,
      path: ["attrs", name],
    });
    return undefined;
  }

  private bad(code: "invalid-type" | "invalid-value", name: string, expected: string, got: unknown): number {
    this.failed = true;
    this.issues.push({
      code,
      message: `op "${this.opId}": attribute "${name}" must be ${expected}`,
      path: ["attrs", name],
      expected,
      got: JSON.stringify(got) ?? String(got),
    });
    return Number.NaN;
  }
}
