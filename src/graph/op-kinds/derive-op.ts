/**
 * One op spec + its input shapes → a complete `Op`: shape, parameters, FLOPs and activation bytes derived
 * from the kind and attributes, with any explicit numbers in the spec laid over them. Issue paths are
 * relative to the op (`attrs.kernel`, `inputs[0]`); `buildGraph` prefixes `ops[i]`.
 */
import { fail, type Issue, ok, type PathSegment, type Result } from "../../util/issues.js";
import { type AttrValue, DTYPE_BYTES, type Dtype, OP_KINDS, type Op } from "../types.js";
import { AttrReader } from "./attr-reader.js";
import { KINDS } from "./registry.js";
import { formatShape, numel } from "./shape-util.js";
import type { DeriveContext, Derived, OpSpec } from "./spec.js";

/** An op together with the element size of its output, which later ops' derivations need. */
export interface DerivedOp {
  readonly op: Op;
  readonly outElemBytes: number;
}

/**
 * @param inputElemBytes bytes per element of each input's output (default: the dtype's size); int64 ids are 8.
 */
export function deriveOp(
  spec: OpSpec,
  inputShapes: readonly (readonly number[])[],
  dtype: Dtype,
  inputElemBytes?: readonly number[],
): Result<Op> {
  const r = deriveOpWithElemBytes(spec, inputShapes, dtype, inputElemBytes);
  return r.ok ? ok(r.value.op) : r;
}

/** What a kind derives for given attributes and input shapes, independent of the op's id and wiring. */
interface KindResult {
  readonly d: Derived;
  readonly filled: Readonly<Record<string, AttrValue>> | undefined;
}

/**
 * Successful kind derivations by (kind, attributes, input shapes and element sizes, explicit shape): a
 * 2,000-layer transformer repeats the same few ops thousands of times, so `buildGraph` derives each once.
 */
export type DeriveCache = Map<string, KindResult>;

function cacheKey(spec: OpSpec, inputShapes: readonly (readonly number[])[], bytes: readonly number[] | undefined) {
  const shapes = inputShapes.map((s) => s.join(",")).join(";");
  const explicit = spec.outShape === undefined ? "" : spec.outShape.join(",");
  return `${spec.kind}|${JSON.stringify(spec.attrs)}|${shapes}|${bytes?.join(",") ?? ""}|${explicit}`;
}

export function deriveOpWithElemBytes(
  spec: OpSpec,
  inputShapes: readonly (readonly number[])[],
  dtype: Dtype,
  inputElemBytes?: readonly number[],
  cache?: DeriveCache,
): Result<DerivedOp> {
  const key = cache ? cacheKey(spec, inputShapes, inputElemBytes) : undefined;
  let kr = key === undefined ? undefined : cache!.get(key);
  if (!kr) {
    const r = deriveKind(spec, inputShapes, dtype, inputElemBytes);
    if (!r.ok) return r;
    kr = r.value;
    if (key !== undefined) cache!.set(key, kr);
  }
  return assemble(spec, kr, dtype);
}

function deriveKind(
  spec: OpSpec,
  inputShapes: readonly (readonly number[])[],
  dtype: Dtype,
  inputElemBytes: readonly number[] | undefined,
): Result<KindResult> {
  const issues: Issue[] = [];
  const def = Object.hasOwn(KINDS, spec.kind) ? KINDS[spec.kind] : undefined;
  if (!def) {
    return fail([
      {
        code: "unknown-kind",
        message: `op "${spec.id}": unknown kind "${spec.kind}"`,
        path: ["kind"],
        expected: `one of ${OP_KINDS.join(", ")}`,
        got: String(spec.kind),
      },
    ]);
  }
  const n = spec.inputs.length;
  if (n < def.minInputs || n > def.maxInputs) {
    const expected =
      def.minInputs === def.maxInputs
        ? `${def.minInputs} input${def.minInputs === 1 ? "" : "s"}`
        : `at least ${def.minInputs} inputs${Number.isFinite(def.maxInputs) ? ` and at most ${def.maxInputs}` : ""}`;
    issues.push({
      code: "invalid-value",
      message: `op "${spec.id}": ${spec.kind} takes ${expected}`,
      path: ["inputs"],
      expected,
      got: `${n}`,
    });
  }
  if (def.attrNames !== "any") {
    const names = def.attrNames;
    const unknown = Object.keys(spec.attrs).filter((k) => !names.includes(k));
    for (const key of unknown.sort()) {
      issues.push({
        code: "unknown-field",
        message: `op "${spec.id}": ${spec.kind} has no attribute "${key}"`,
        path: ["attrs", key],
        expected: def.attrNames.length > 0 ? `one of ${def.attrNames.join(", ")}` : "no attributes",
        got: key,
      });
    }
  }
  if (issues.length > 0) return fail(issues);

  const elemBytes = DTYPE_BYTES[dtype];
  const ctx = new Context(
    spec,
    issues,
    inputShapes,
    inputElemBytes ?? inputShapes.map(() => elemBytes),
    elemBytes,
    dtype,
  );
  const d = def.derive(ctx);
  if (!d || issues.length > 0) return fail(issues);
  return ok({ d, filled: ctx.attrs.filled });
}

/** The op from its kind's derivation, with the spec's explicit values laid over it. */
function assemble(spec: OpSpec, kr: KindResult, dtype: Dtype): Result<DerivedOp> {
  const { d, filled } = kr;
  const elemBytes = DTYPE_BYTES[dtype];
  if (spec.outShape !== undefined && !sameShape(spec.outShape, d.outShape)) {
    return fail([
      {
        code: "shape-mismatch",
        message: `op "${spec.id}": the given outShape contradicts the one its kind and inputs give`,
        path: ["outShape"],
        expected: formatShape(d.outShape),
        got: formatShape(spec.outShape),
      },
    ]);
  }
  const outElemBytes = d.outElemBytes ?? elemBytes;
  const params = spec.params ?? d.params;
  const workspace = spec.workspaceBytesPerSample ?? d.workspaceBytes ?? 0;
  // Built field by field (no spread temporaries): this runs once per op of 16k-op graphs. Specs are
  // readonly records, so their inputs and attrs are shared, not copied.
  const op: { -readonly [K in keyof Op]: Op[K] } = {
    id: spec.id,
    kind: spec.kind,
    inputs: spec.inputs,
    attrs: filled === undefined ? spec.attrs : { ...spec.attrs, ...filled },
    outShape: d.outShape,
    outBytesPerSample: spec.outBytesPerSample ?? numel(d.outShape) * outElemBytes,
    params,
    paramBytes: spec.paramBytes ?? params * elemBytes,
    fwdFlopsPerSample: spec.fwdFlopsPerSample ?? d.fwdFlops,
    bwdFlopsPerSample: spec.bwdFlopsPerSample ?? d.bwdFlops,
    savedBytesPerSample: spec.savedBytesPerSample ?? d.savedBytes,
  };
  if (spec.name !== undefined) op.name = spec.name;
  if (workspace > 0 || spec.workspaceBytesPerSample !== undefined) op.workspaceBytesPerSample = workspace;
  if (spec.profile !== undefined) op.profile = spec.profile;
  return ok({ op, outElemBytes });
}

class Context implements DeriveContext {
  readonly opId: string;
  readonly attrs: AttrReader;
  readonly explicitOutShape: readonly number[] | undefined;

  constructor(
    spec: OpSpec,
    private readonly issues: Issue[],
    readonly inputShapes: readonly (readonly number[])[],
    readonly inputElemBytes: readonly number[],
    readonly elemBytes: number,
    readonly dtype: Dtype,
  ) {
    this.opId = spec.id;
    this.attrs = new AttrReader(spec.id, spec.attrs, issues);
    this.explicitOutShape = spec.outShape;
  }

  shapeMismatch(message: string, path: readonly PathSegment[], expected?: string, got?: string): void {
    this.issues.push({
      code: "shape-mismatch",
      message: `op "${this.opId}": ${message}`,
      path,
      ...(expected !== undefined ? { expected } : {}),
      ...(got !== undefined ? { got } : {}),
    });
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
