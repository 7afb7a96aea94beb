/**
 * The analysed ONNX graph → dagpipe op specs, per sample. Constant nodes (weights, shape arithmetic)
 * disappear into their consumers; each activation node becomes one op (one per used output for Split and
 * the like), of a dagpipe kind when one means the same thing and derives consistently, else `opaque` with
 * the FLOPs, bytes and parameters the importer computed. Two patterns torch's exporter splits are joined
 * back: MatMul + Add(bias) → linear with bias, and Gather + Add(learned positions) → embedding with
 * positions. Every graph output gets a training loss (cross-entropy over its last axis when it looks like
 * logits, else mse), because dagpipe plans training.
 */
import { deriveOp, type OpSpec } from "../../graph/op-kinds/index.js";
import { DTYPE_BYTES, type Dtype, type OpAttrs } from "../../graph/types.js";
import type { AnalyzedNode, AnalyzedTensor, OnnxAnalysis } from "./analyze.js";
import { perSampleShape } from "./batch-axis.js";
import { activationReaders, type FusedPattern, findPatterns } from "./fuse-patterns.js";
import { numel } from "./infer/context.js";
import { type KindChoice, mapKind } from "./map-kind.js";
import { elemType, isFloatType, ONNX_INT64 } from "./tensor-types.js";

export interface SpecsResult {
  readonly specs: readonly OpSpec[];
  /** Nodes whose kind mapping did not derive (kept as opaque); empty on every file the tests know. */
  readonly fallbacks: readonly { readonly node: number; readonly opType: string; readonly kind: string }[];
}

interface OpRef {
  readonly id: string;
  readonly shape: readonly number[];
  readonly elemBytes: number;
}

function nodeBase(n: AnalyzedNode): string {
  return n.node.name !== "" ? n.node.name : `${n.node.opType}_${n.index}`;
}

/** A fused pattern's id: the scope its nodes share (`/blocks.0/ln1`), else the kind and first node. */
function patternId(nodes: readonly (AnalyzedNode | undefined)[], kind: string, used: ReadonlySet<string>): string {
  const names = nodes.map((n) => n?.node.name ?? "");
  let prefix = names[0] ?? "";
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const scope = prefix.slice(0, prefix.lastIndexOf("/"));
  const base = scope !== "" && names.every((n) => n !== "") ? scope : `${kind}_${nodes[0]?.index ?? 0}`;
  let id = base;
  for (let k = 2; used.has(id); k++) id = `${base}#${k}`;
  return id;
}

export function toOpSpecs(a: OnnxAnalysis, dtype: Dtype): SpecsResult {
  const specs: OpSpec[] = [];
  const fallbacks: { node: number; opType: string; kind: string }[] = [];
  const used = new Set<string>();
  const unique = (base: string): string => {
    let id = base;
    for (let k = 2; used.has(id); k++) id = `${base}#${k}`;
    used.add(id);
    return id;
  };
  const byTensor = new Map<string, OpRef>();
  const elemBytesOf = (t: AnalyzedTensor): number =>
    isFloatType(t.elemType) ? DTYPE_BYTES[dtype] : Math.max(1, (elemType(t.elemType)?.bits ?? 8) / 8);
  const sampleShape = (t: AnalyzedTensor): readonly number[] | undefined =>
    t.shape ? perSampleShape(t.shape, t.batchAxis, a.batch) : undefined;

  // Uses of each tensor by activation nodes, and graph outputs: a fused pattern needs a single use.
  const uses = activationReaders(a);
  const outputSet = new Set(a.outputs);
  const soleUse = (name: string): AnalyzedNode | undefined => {
    const u = uses.get(name);
    return u?.length === 1 && !outputSet.has(name) ? u[0] : undefined;
  };

  for (const t of a.inputs) {
    const shape = sampleShape(t) ?? [];
    const id = unique(t.name);
    const eb = t.elemType === ONNX_INT64 ? 8 : elemBytesOf(t);
    specs.push({
      id,
      kind: "input",
      inputs: [],
      attrs: { dtype: isFloatType(t.elemType) ? "float" : "int64" },
      outShape: shape,
      ...(isFloatType(t.elemType) || t.elemType === ONNX_INT64 ? {} : { outBytesPerSample: numel(shape) * eb }),
    });
    byTensor.set(t.name, { id, shape, elemBytes: eb });
  }

  const absorbed = new Map<number, string>(); // node index → op id it was fused into
  const specById = new Map<string, OpSpec>();
  const nodeAt = new Map(a.nodes.map((n) => [n.index, n]));
  const claimsOf = (n: AnalyzedNode | undefined) => (n?.params ?? []).reduce((s, p) => s + (a.params.get(p) ?? 0), 0);
  const batchOk = (ts: readonly (AnalyzedTensor | undefined)[]) =>
    a.batch === 1 || ts.every((t) => !t || t.isConst || t.batchAxis !== undefined);

  // Spelled-out norms and activations (fuse-patterns.ts) become one op at their first node, if it derives.
  const patterns = new Map(findPatterns(a, uses).map((p) => [p.anchor, p]));
  const inPattern = new Set<number>();
  const emitPattern = (pat: FusedPattern): boolean => {
    const ref = byTensor.get(pat.input);
    const out = a.tensors.get(pat.output);
    const shape = out ? sampleShape(out) : undefined;
    if (!ref || !out || !shape || !batchOk([a.tensors.get(pat.input), out])) return false;
    const nodes = pat.nodes.map((i) => nodeAt.get(i));
    const spec: OpSpec = {
      id: patternId(nodes, pat.choice.kind, used),
      name: pat.output,
      kind: pat.choice.kind,
      inputs: [ref.id],
      attrs: pat.choice.attrs,
      outShape: shape,
      params: nodes.reduce((s, n) => s + claimsOf(n), 0),
    };
    if (!deriveOp(spec, [ref.shape], dtype, [ref.elemBytes]).ok) {
      fallbacks.push({ node: pat.anchor, opType: `pattern:${pat.choice.kind}`, kind: pat.choice.kind });
      return false;
    }
    used.add(spec.id);
    specs.push(spec);
    specById.set(spec.id, spec);
    byTensor.set(pat.output, { id: spec.id, shape, elemBytes: elemBytesOf(out) });
    for (const i of pat.nodes) inPattern.add(i);
    return true;
  };

  for (const n of a.nodes) {
    if (n.isConst || inPattern.has(n.index)) continue;
    const pat = patterns.get(n.index);
    if (pat && emitPattern(pat)) continue;
    const fusedInto = absorbed.get(n.index);
    if (fusedInto) {
      const out = n.outputs[0];
      const into = specById.get(fusedInto);
      if (out && into?.outShape)
        byTensor.set(out.name, { id: fusedInto, shape: into.outShape, elemBytes: elemBytesOf(out) });
      continue;
    }
    const inputs = n.node.input.map((name) => (name === "" ? undefined : a.tensors.get(name)));
    const actRefs = inputs.flatMap((t) => (t && !t.isConst ? [byTensor.get(t.name)] : []));
    const inputIds = actRefs.flatMap((r) => (r ? [r.id] : []));
    const base = nodeBase(n);
    n.outputs.forEach((out, j) => {
      if (j > 0 && !uses.has(out.name) && !outputSet.has(out.name) && n.node.opType !== "Split") return;
      const id = unique(j === 0 ? base : `${base}:${j}`);
      const shape = sampleShape(out);
      const eb = elemBytesOf(out);
      const params = j === 0 ? n.params.reduce((s, p) => s + (a.params.get(p) ?? 0), 0) : 0;
      const batchKnown = batchOk([out, ...inputs]);
      let choice: KindChoice | undefined;
      if (shape && batchKnown && actRefs.every((r) => r !== undefined)) {
        try {
          choice = mapKind({ n, inputs, batch: a.batch }, j, sampleShape);
        } catch {
          choice = undefined;
        }
      }
      let fusedNode: AnalyzedNode | undefined;
      if (choice && j === 0) {
        const fused = fuse(n, choice, a, soleUse);
        if (fused) {
          choice = fused.choice;
          fusedNode = fused.node;
        }
      }
      const extraParams = fusedNode ? fusedNode.params.reduce((s, p) => s + (a.params.get(p) ?? 0), 0) : 0;
      let spec: OpSpec | undefined;
      if (choice && shape) {
        const candidate: OpSpec = {
          id,
          name: out.name,
          kind: choice.kind,
          inputs: inputIds,
          attrs: choice.attrs,
          outShape: shape,
          params: params + extraParams,
        };
        const derived = deriveOp(
          candidate,
          actRefs.map((r) => r?.shape ?? []),
          dtype,
          actRefs.map((r) => r?.elemBytes ?? DTYPE_BYTES[dtype]),
        );
        if (derived.ok) {
          spec = candidate;
          if (fusedNode) absorbed.set(fusedNode.index, id);
        } else {
          fallbacks.push({ node: n.index, opType: n.node.opType, kind: choice.kind });
        }
      }
      spec ??= opaqueSpec(n, j, id, out.name, inputIds, shape, eb, params, actRefs, a.batch);
      specs.push(spec);
      specById.set(spec.id, spec);
      byTensor.set(out.name, { id, shape: spec.outShape ?? [], elemBytes: eb });
    });
  }

  for (const name of a.outputs) {
    const ref = byTensor.get(name);
    const t = a.tensors.get(name);
    if (!ref || !t || t.isConst) continue;
    const last = ref.shape[ref.shape.length - 1];
    const logits = isFloatType(t.elemType) && last !== undefined && last >= 2;
    specs.push({
      id: unique(`loss:${name}`),
      kind: "loss",
      inputs: [ref.id],
      attrs: logits ? { fn: "cross-entropy", classes: last } : { fn: "mse" },
    });
  }
  return { specs: withIdBounds(specs), fallbacks };
}

/** int64 inputs read by an embedding get `high` = its table size, so synthetic ids stay in range. */
function withIdBounds(specs: readonly OpSpec[]): OpSpec[] {
  const high = new Map<string, number>();
  for (const s of specs) {
    const rows = s.kind === "embedding" ? s.attrs["numEmbeddings"] : undefined;
    const from = s.inputs[0];
    if (typeof rows === "number" && from !== undefined) high.set(from, Math.min(rows, high.get(from) ?? rows));
  }
  return specs.map((s) => {
    const h = high.get(s.id);
    return s.kind === "input" && h !== undefined && s.attrs["dtype"] === "int64"
      ? { ...s, attrs: { ...s.attrs, high: h } }
      : s;
  });
}

function opaqueSpec(
  n: AnalyzedNode,
  outputIndex: number,
  id: string,
  name: string,
  inputIds: readonly string[],
  shape: readonly number[] | undefined,
  elemBytes: number,
  params: number,
  actRefs: readonly (OpRef | undefined)[],
  batch: number,
): OpSpec {
  const first = outputIndex === 0;
  const fwd = first ? n.fwdFlops / batch : 0;
  const rule = n.rule;
  const outBytes = shape ? numel(shape) * elemBytes : 0;
  const inBytes = actRefs.reduce((s, r) => s + (r ? numel(r.shape) * r.elemBytes : 0), 0);
  const saves = first && shape ? (rule?.saves ?? "none") : "none";
  const attrs: OpAttrs = n.node.domain ? { op: n.node.opType, domain: n.node.domain } : { op: n.node.opType };
  return {
    id,
    name,
    kind: "opaque",
    inputs: [...inputIds],
    attrs,
    outShape: shape ?? [],
    outBytesPerSample: outBytes,
    params,
    fwdFlopsPerSample: fwd,
    bwdFlopsPerSample: fwd * (rule?.bwdFactor ?? 1),
    savedBytesPerSample: saves === "inputs" ? inBytes : saves === "output" ? outBytes : 0,
  };
}

/**
 * torch exports `nn.Linear` on 3-D inputs as MatMul + Add(bias), and learned positions as an Add of a
 * gathered table: when the Add is the only reader, the pair becomes the one op torch had.
 */
function fuse(
  n: AnalyzedNode,
  choice: KindChoice,
  a: OnnxAnalysis,
  soleUse: (name: string) => AnalyzedNode | undefined,
): { choice: KindChoice; node: AnalyzedNode } | undefined {
  const out = n.outputs[0];
  const next = out ? soleUse(out.name) : undefined;
  if (!out || !next || next.node.opType !== "Add" || next.node.input.length !== 2) return undefined;
  const other = next.node.input.find((name) => name !== out.name);
  const c = other !== undefined ? a.tensors.get(other) : undefined;
  if (!c?.isConst || !c.shape || next.params.length !== 1) return undefined;
  const table = a.tensors.get(next.params[0] as string)?.shape;
  if (choice.kind === "linear" && choice.attrs["bias"] === false) {
    const features = choice.attrs["outFeatures"];
    if (c.shape.length === 1 && c.shape[0] === features) {
      return { choice: { kind: "linear", attrs: { ...choice.attrs, bias: true } }, node: next };
    }
  }
  if (choice.kind === "embedding" && table?.length === 2 && table[1] === choice.attrs["embeddingDim"]) {
    // The added tensor must be rows of the table, one per token, the same for every sample.
    const rows = c.shape.slice(0, -1).filter((d) => d !== 1);
    const tokens = out.shape?.[out.shape.length - 2];
    if (rows.length === 1 && rows[0] === tokens && c.shape[c.shape.length - 1] === table[1]) {
      return { choice: { kind: "embedding", attrs: { ...choice.attrs, positions: table[0] as number } }, node: next };
    }
  }
  return undefined;
}
