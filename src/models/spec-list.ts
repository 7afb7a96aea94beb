/**
 * A list of op specs a model builder appends to, with `op(...)` returning the new op's id so builders read
 * like the forward pass they describe. Lives only inside one builder call: no shared state.
 */
import { buildGraph, type OpSpec } from "../graph/op-kinds/index.js";
import type { AttrValue, Dtype, Graph, OpAttrs, OpKind } from "../graph/types.js";
import { unwrap } from "../util/issues.js";

export class SpecList {
  readonly specs: OpSpec[] = [];

  op(id: string, kind: OpKind, inputs: readonly string[], attrs: OpAttrs = {}, extra: Partial<OpSpec> = {}): string {
    this.specs.push({ id, kind, inputs, attrs, ...extra });
    return id;
  }

  /** The graph, or an InputError carrying the issues (options that give inconsistent shapes). */
  build(name: string, dtype: Dtype, source: Readonly<Record<string, AttrValue>>): Graph {
    return unwrap(buildGraph(name, dtype, this.specs, source));
  }
}

/** `prefix` + `name`, dot-separated, so ids read as layer paths (`b2.layer3.attn`). */
export function path(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}
