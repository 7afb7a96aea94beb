/**
 * Operator patterns older exporters spell out node by node, recognised and turned back into the one
 * dagpipe kind they mean (so the cost model and the runtime see a layernorm, not nine element-wise ops):
 *
 *   layernorm  ReduceMean → Sub → Pow 2 → ReduceMean → Add ε → Sqrt → Div [→ Mul γ [→ Add β]]   (torch < opset 17)
 *   rmsnorm    Pow 2 → ReduceMean → Add ε → Sqrt → Reciprocal | Div 1/· → Mul x [→ Mul γ]    (Llama's RMSNorm)
 *   gelu       Div √2 → Erf → Add 1 → Mul x → Mul ½                                          (exact GELU)
 *   silu       Sigmoid → Mul x                                                               (SiLU / swish)
 *
 * A pattern matches only when every intermediate tensor is read by the pattern alone (and is no graph
 * output), so fusing never hides a tensor something else needs. The fused op is emitted at the pattern's
 * first node; the caller checks that it derives and otherwise keeps the nodes as they are.
 */
import type { AnalyzedNode, AnalyzedTensor, OnnxAnalysis } from "./analyze.js";
import type { KindChoice } from "./map-kind.js";

export interface FusedPattern {
  /** The pattern's first node in topological order, where the fused op is emitted. */
  readonly anchor: number;
  /** Every node of the pattern (graph.node indices), anchor included. */
  readonly nodes: readonly number[];
  /** The activation the pattern reads, and the tensor it produces. */
  readonly input: string;
  readonly output: string;
  readonly choice: KindChoice;
}

interface View {
  readonly a: OnnxAnalysis;
  /** Activation nodes reading each tensor; graph outputs count as one more reader. */
  readonly readers: ReadonlyMap<string, readonly AnalyzedNode[]>;
  readonly outputs: ReadonlySet<string>;
}

function out0(n: AnalyzedNode): string {
  return n.node.output[0] ?? "";
}

/** The single node reading `tensor`, if it is exactly one of `opTypes` and nothing else reads it. */
function only(v: View, tensor: string, ...opTypes: string[]): AnalyzedNode | undefined {
  const r = v.readers.get(tensor);
  if (r?.length !== 1 || v.outputs.has(tensor)) return undefined;
  const n = r[0] as AnalyzedNode;
  return opTypes.includes(n.node.opType) && n.node.domain === "" ? n : undefined;
}

function tensorOf(v: View, name: string | undefined): AnalyzedTensor | undefined {
  return name === undefined ? undefined : v.a.tensors.get(name);
}

/** The other input of a two-input node, when `known` is one of them. */
function other(n: AnalyzedNode, known: string): string | undefined {
  const [x, y] = n.node.input;
  if (n.node.input.length !== 2) return undefined;
  if (x === known) return y;
  if (y === known) return x;
  return undefined;
}

/** A scalar constant's value (or a constant tensor whose every value is the same). */
function scalar(v: View, name: string | undefined): number | undefined {
  const t = tensorOf(v, name);
  if (!t?.isConst || !t.values || t.values.length === 0) return undefined;
  const first = t.values[0] as number;
  return t.values.every((x) => x === first) ? first : undefined;
}

/** A stored per-feature tensor (γ, β): constant, shape [C] (or broadcast-equivalent), C = features. */
function perFeature(v: View, name: string | undefined, features: number): boolean {
  const t = tensorOf(v, name);
  return t?.isConst === true && t.shape !== undefined && t.shape.filter((d) => d !== 1).join() === String(features);
}

/** A ReduceMean over the last axis only, keeping it. */
function meanOverLast(n: AnalyzedNode, rank: number): boolean {
  if (n.node.opType !== "ReduceMean" || n.ctx.attrs.int("keepdims", 1) !== 1) return false;
  const axes = n.ctx.attrs.ints("axes") ?? n.ctx.values(1);
  return axes?.length === 1 && ((axes[0] as number) === -1 || axes[0] === rank - 1);
}

const near = (x: number | undefined, y: number, tol = 1e-4) => x !== undefined && Math.abs(x - y) <= tol * Math.abs(y);

function layerNorm(v: View, r1: AnalyzedNode): FusedPattern | undefined {
  const x = r1.node.input[0] as string;
  const shape = tensorOf(v, x)?.shape;
  if (!shape || shape.length === 0 || !meanOverLast(r1, shape.length)) return undefined;
  const sub = only(v, out0(r1), "Sub");
  if (!sub || sub.node.input[0] !== x || sub.node.input[1] !== out0(r1)) return undefined;
  const readers = v.readers.get(out0(sub)) ?? [];
  if (readers.length !== 2 || v.outputs.has(out0(sub))) return undefined;
  const pow = readers.find((n) => n.node.opType === "Pow" && n.node.input[0] === out0(sub));
  if (!pow || scalar(v, pow.node.input[1]) !== 2) return undefined;
  const r2 = only(v, out0(pow), "ReduceMean");
  if (!r2 || !meanOverLast(r2, shape.length)) return undefined;
  const addEps = only(v, out0(r2), "Add");
  const eps = addEps ? scalar(v, other(addEps, out0(r2))) : undefined;
  if (!addEps || eps === undefined || eps < 0) return undefined;
  const sqrt = only(v, out0(addEps), "Sqrt");
  if (!sqrt) return undefined;
  const div = only(v, out0(sqrt), "Div");
  if (!div || div.node.input[0] !== out0(sub) || !readers.includes(div)) return undefined;
  const features = shape[shape.length - 1] as number;
  const nodes = [r1, sub, pow, r2, addEps, sqrt, div];
  let last = div;
  const scale = only(v, out0(div), "Mul");
  if (scale && perFeature(v, other(scale, out0(div)), features)) {
    nodes.push(scale);
    last = scale;
    const shift = only(v, out0(scale), "Add");
    if (shift && perFeature(v, other(shift, out0(scale)), features)) {
      nodes.push(shift);
      last = shift;
    }
  }
  return pattern(nodes, x, out0(last), { kind: "layernorm", attrs: { features, eps } });
}

function rmsNorm(v: View, pow: AnalyzedNode): FusedPattern | undefined {
  const x = pow.node.input[0] as string;
  const shape = tensorOf(v, x)?.shape;
  if (!shape || shape.length === 0 || scalar(v, pow.node.input[1]) !== 2 || tensorOf(v, x)?.isConst) return undefined;
  const mean = only(v, out0(pow), "ReduceMean");
  if (!mean || !meanOverLast(mean, shape.length)) return undefined;
  const addEps = only(v, out0(mean), "Add");
  const eps = addEps ? scalar(v, other(addEps, out0(mean))) : undefined;
  if (!addEps || eps === undefined || eps < 0) return undefined;
  const sqrt = only(v, out0(addEps), "Sqrt");
  const inv = sqrt ? only(v, out0(sqrt), "Reciprocal", "Div") : undefined;
  if (!sqrt || !inv) return undefined;
  if (inv.node.opType === "Div" && (inv.node.input[1] !== out0(sqrt) || scalar(v, inv.node.input[0]) !== 1)) {
    return undefined;
  }
  const norm = only(v, out0(inv), "Mul");
  if (!norm || other(norm, out0(inv)) !== x) return undefined;
  const features = shape[shape.length - 1] as number;
  const nodes = [pow, mean, addEps, sqrt, inv, norm];
  let last = norm;
  const scale = only(v, out0(norm), "Mul");
  if (scale && perFeature(v, other(scale, out0(norm)), features)) {
    nodes.push(scale);
    last = scale;
  }
  return pattern(nodes, x, out0(last), { kind: "rmsnorm", attrs: { features, eps } });
}

function gelu(v: View, div: AnalyzedNode): FusedPattern | undefined {
  const x = div.node.input[0] as string;
  if (tensorOf(v, x)?.isConst || !near(scalar(v, div.node.input[1]), Math.SQRT2)) return undefined;
  const erf = only(v, out0(div), "Erf");
  const plus = erf ? only(v, out0(erf), "Add") : undefined;
  if (!erf || !plus || scalar(v, other(plus, out0(erf))) !== 1) return undefined;
  const times = only(v, out0(plus), "Mul");
  if (!times || other(times, out0(plus)) !== x) return undefined;
  const half = only(v, out0(times), "Mul");
  if (!half || scalar(v, other(half, out0(times))) !== 0.5) return undefined;
  return pattern([div, erf, plus, times, half], x, out0(half), { kind: "gelu", attrs: {} });
}

function silu(v: View, sig: AnalyzedNode): FusedPattern | undefined {
  const x = sig.node.input[0] as string;
  if (tensorOf(v, x)?.isConst) return undefined;
  const mul = only(v, out0(sig), "Mul");
  if (!mul || other(mul, out0(sig)) !== x) return undefined;
  return pattern([sig, mul], x, out0(mul), { kind: "silu", attrs: {} });
}

function pattern(nodes: readonly AnalyzedNode[], input: string, output: string, choice: KindChoice): FusedPattern {
  const indices = nodes.map((n) => n.index);
  return { anchor: nodes[0]?.index ?? -1, nodes: indices, input, output, choice };
}

/** The activation (non-constant) nodes reading each tensor, in node order. */
export function activationReaders(a: OnnxAnalysis): Map<string, AnalyzedNode[]> {
  const readers = new Map<string, AnalyzedNode[]>();
  for (const n of a.nodes) {
    if (n.isConst) continue;
    for (const name of n.node.input) {
      const list = readers.get(name);
      if (list) list.push(n);
      else readers.set(name, [n]);
    }
  }
  return readers;
}

/**
 * Every pattern in the graph, at most one per node (the first match in topological order wins).
 * `readers` = activationReaders(a), which the caller builds once for its own use too.
 */
export function findPatterns(a: OnnxAnalysis, readers: ReadonlyMap<string, readonly AnalyzedNode[]>): FusedPattern[] {
  const v: View = { a, readers, outputs: new Set(a.outputs) };
  const taken = new Set<number>();
  const found: FusedPattern[] = [];
  for (const n of a.nodes) {
    if (n.isConst || taken.has(n.index) || n.node.domain !== "") continue;
    let p: FusedPattern | undefined;
    try {
      if (n.node.opType === "ReduceMean") p = layerNorm(v, n);
      else if (n.node.opType === "Pow") p = rmsNorm(v, n);
      else if (n.node.opType === "Div") p = gelu(v, n);
      else if (n.node.opType === "Sigmoid") p = silu(v, n);
    } catch {
      // An attribute of the wrong type was reported by the operator itself; no pattern here.
      p = undefined;
    }
    if (!p || p.nodes.some((i) => taken.has(i))) continue;
    for (const i of p.nodes) taken.add(i);
    found.push(p);
  }
  return found;
}
