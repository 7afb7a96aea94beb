/**
 * What a kind's derivation works with and produces. An `OpSpec` is an op as a model builder or a file
 * describes it: kind, inputs and attributes, plus optional explicit numbers that win over derived ones
 * (measured or imported values). A `KindDef` turns attributes and input shapes into shapes and costs.
 */
import type { Dtype, OpAttrs, OpKind, OpProfile } from "../types.js";
import type { AttrReader } from "./attr-reader.js";

export interface OpSpec {
  readonly id: string;
  readonly name?: string;
  readonly kind: OpKind;
  readonly inputs: readonly string[];
  readonly attrs: OpAttrs;
  // Optional explicit values; when present they win over derived ones (imported profiles, user JSON).
  readonly outShape?: readonly number[];
  readonly params?: number;
  readonly fwdFlopsPerSample?: number;
  readonly bwdFlopsPerSample?: number;
  readonly savedBytesPerSample?: number;
  readonly workspaceBytesPerSample?: number;
  readonly outBytesPerSample?: number;
  readonly paramBytes?: number;
  readonly profile?: OpProfile;
}

/** Everything a kind's derivation may read. Issues go through `fail` so they all name the op. */
export interface DeriveContext {
  readonly opId: string;
  readonly attrs: AttrReader;
  readonly inputShapes: readonly (readonly number[])[];
  /** Bytes per element of each input (8 for int64 token ids, the graph dtype's size otherwise). */
  readonly inputElemBytes: readonly number[];
  /** Bytes per element of activations and weights in the graph's dtype. */
  readonly elemBytes: number;
  readonly dtype: Dtype;
  /** The spec's explicit output shape, for kinds whose shape cannot be derived (input, opaque). */
  readonly explicitOutShape: readonly number[] | undefined;
  /** Records a shape problem of this op (issue `shape-mismatch`, path relative to the op). */
  shapeMismatch(message: string, path: readonly (string | number)[], expected?: string, got?: string): void;
}

/** Per-sample shapes and costs of one op, before explicit values are laid over them. */
export interface Derived {
  readonly outShape: readonly number[];
  readonly params: number;
  readonly fwdFlops: number;
  readonly bwdFlops: number;
  readonly savedBytes: number;
  readonly workspaceBytes?: number;
  /** Bytes per output element when not the graph dtype's (int64 ids passed through layout ops). */
  readonly outElemBytes?: number;
}

export interface KindDef {
  /** Attribute names the kind accepts; `"any"` for kinds that carry foreign attributes (opaque). */
  readonly attrNames: readonly string[] | "any";
  /** Fewest and most inputs (max = Infinity for variadic kinds such as concat). */
  readonly minInputs: number;
  readonly maxInputs: number;
  /** Undefined when the op cannot be derived; the reason is already recorded in the context. */
  derive(ctx: DeriveContext): Derived | undefined;
}
