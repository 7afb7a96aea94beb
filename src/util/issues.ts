/**
 * Problems found in user input, as data (zod-style issue records). Every reader and validator collects
 * all of them instead of stopping at the first; `src/report/format-issues.ts` renders them for people and
 * tests assert on `code` and `path`, never on message text.
 */
export type IssueCode =
  // graph structure
  | "cycle"
  | "unknown-input"
  | "duplicate-id"
  | "bad-number"
  | "empty-graph"
  | "shape-mismatch"
  | "unknown-kind"
  // documents
  | "parse-error"
  | "invalid-type"
  | "missing-field"
  | "unknown-field"
  | "invalid-value"
  | "unknown-format"
  | "unreadable-file"
  | "unsupported"
  // plans and schedules
  | "op-unplaced"
  | "op-placed-twice"
  | "unknown-op"
  | "stage-not-convex"
  | "stage-cycle"
  | "missing-stage-edge"
  | "device-out-of-range"
  | "device-shared"
  | "bad-degree"
  | "schedule-order"
  | "schedule-count"
  | "schedule-placement"
  | "unknown-stage"
  // model / cluster lookup
  | "unknown-model"
  | "unknown-device"
  | "unknown-cluster"
  | "bad-option";

export type PathSegment = string | number;

export interface Issue {
  readonly code: IssueCode;
  /** One line saying what is wrong; rendered by formatIssues with the place before it. */
  readonly message: string;
  /** Path inside the document, e.g. ["ops", 12, "outShape"] → ops[12].outShape. */
  readonly path?: readonly PathSegment[];
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly expected?: string;
  readonly got?: string;
}

export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly warnings?: readonly Issue[] }
  | { readonly ok: false; readonly issues: readonly Issue[] };

export function ok<T>(value: T, warnings?: readonly Issue[]): Result<T> {
  return warnings && warnings.length > 0 ? { ok: true, value, warnings } : { ok: true, value };
}

export function fail<T>(issues: readonly Issue[]): Result<T> {
  return { ok: false, issues };
}

/** Thrown only at the edges (CLI, loaders) to carry issues to the exit-code mapping: bad input → exit 2. */
export class InputError extends Error {
  override readonly name = "InputError";
  constructor(readonly issues: readonly Issue[]) {
    super(issues.map((i) => i.message).join("; "));
  }
}

/** `["ops", 12, "outShape"]` → `ops[12].outShape` (zod's toDotPath). */
export function toDotPath(path: readonly PathSegment[] | undefined): string {
  if (!path || path.length === 0) return "";
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** The value of a Result, or an InputError carrying its issues. */
export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new InputError(r.issues);
  return r.value;
}
