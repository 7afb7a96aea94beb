/**
 * What an operator rule sees: the node's attributes and its input tensors (full shapes, batch included,
 * and values when they are small known constants). Rules compute output shapes, element types, folded
 * values and forward FLOPs of the whole batch; the driver divides by the batch afterwards.
 *
 * Two ways out besides a result: `NodeError` (the file is wrong: shapes that do not fit the operator, a
 * missing input) and `UnknownShape` (an input's shape is unknown, e.g. after an unknown operator; not
 * the file's fault, the outputs just stay unknown).
 */
import { broadcastShapes, formatShape, numel } from "../../../graph/op-kinds/shape-util.js";
import type { PathSegment } from "../../../util/issues.js";
import { type NodeAttrs, NodeError } from "../node-attrs.js";

/** The IR's shape arithmetic (it does not care whether a batch dimension is included), by the rules' short names. */
export { broadcastShapes as broadcast, formatShape as fmt, numel };

export interface TensorInfo {
  readonly elemType: number;
  /** Full shape, batch dimension included; undefined when it cannot be known. */
  readonly shape?: readonly number[];
  /** Row-major values of a small constant, when known. */
  readonly values?: readonly number[];
  /** True when the tensor does not depend on the data of any graph input (weights, shape arithmetic). */
  readonly isConst: boolean;
  /** Which axis of an activation holds the batch; undefined when the batch is folded into others. */
  readonly batchAxis?: number;
  /** The shape was assumed (after an unknown operator), so a contradiction downstream is not the file's fault. */
  readonly guessed?: boolean;
}

export interface RuleOut {
  readonly shape: readonly number[];
  readonly elemType: number;
  readonly values?: readonly number[];
}

/** What backward needs kept from this op's forward, for ops the importer costs itself (opaque ones). */
export type SaveKind = "inputs" | "output" | "none";

export interface OpRule {
  infer(ctx: InferCtx): readonly RuleOut[];
  /** Forward FLOPs of the whole batch; 0 when absent (layout and shape ops). */
  flops?(ctx: InferCtx, outs: readonly RuleOut[]): number;
  readonly saves?: SaveKind;
  /** Backward FLOPs as a multiple of forward (2 for matmul-like ops, 1 for elementwise). */
  readonly bwdFactor?: number;
}

export class UnknownShape extends Error {
  override readonly name = "UnknownShape";
}

export class InferCtx {
  constructor(
    readonly opType: string,
    readonly opset: number,
    readonly attrs: NodeAttrs,
    readonly inputs: readonly (TensorInfo | undefined)[],
    readonly outputCount: number,
  ) {}

  has(i: number): boolean {
    return this.inputs[i] !== undefined;
  }

  input(i: number): TensorInfo {
    const t = this.inputs[i];
    if (!t) throw new NodeError(`${this.opType} needs input ${i}`, "missing-field", ["input", i], `input ${i}`);
    return t;
  }

  shape(i: number): readonly number[] {
    const s = this.input(i).shape;
    if (!s) throw new UnknownShape();
    return s;
  }

  rank(i: number): number {
    return this.shape(i).length;
  }

  /** Known values of input i (undefined when not a small known constant). */
  values(i: number): readonly number[] | undefined {
    return this.inputs[i]?.values;
  }

  /**
   * Values the operator needs to know its output shape (Reshape's target, Slice's bounds). When they come
   * from data, the shape cannot be known statically: UnknownShape, not an error.
   */
  requireValues(i: number): readonly number[] {
    const v = this.input(i).values;
    if (!v) throw new UnknownShape();
    return v;
  }

  /** A shape problem of this node: the operator cannot take these inputs. */
  fail(message: string, where: readonly PathSegment[] = [], expected?: string, got?: string): never {
    throw new NodeError(`${this.opType}: ${message}`, "shape-mismatch", where, expected, got);
  }

  invalid(message: string, where: readonly PathSegment[] = [], expected?: string, got?: string): never {
    throw new NodeError(`${this.opType}: ${message}`, "invalid-value", where, expected, got);
  }

  /** Axis in [-rank, rank) → [0, rank), or a failure naming the attribute or input it came from. */
  axis(axis: number, rank: number, where: readonly PathSegment[]): number {
    if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
      this.invalid(`axis ${axis} is out of range for rank ${rank}`, where, `[${-rank}, ${rank})`, String(axis));
    }
    return axis < 0 ? axis + rank : axis;
  }

  /** Output element type equal to input i's. */
  typeOf(i: number): number {
    return this.input(i).elemType;
  }
}

/** Element-wise values over broadcast shapes (for folding small constants). */
export function broadcastValues(
  inputs: readonly { shape: readonly number[]; values: readonly number[] }[],
  outShape: readonly number[],
  fn: (args: number[]) => number,
): number[] {
  const total = numel(outShape);
  const rank = outShape.length;
  const out: number[] = new Array(total);
  const strides = inputs.map(({ shape }) => {
    const s: number[] = new Array(rank).fill(0);
    let acc = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const dim = shape[d] as number;
      s[rank - shape.length + d] = dim === 1 ? 0 : acc;
      acc *= dim;
    }
    return s;
  });
  const idx: number[] = new Array(rank).fill(0);
  for (let k = 0; k < total; k++) {
    const args = inputs.map(({ values }, j) => {
      let off = 0;
      const s = strides[j] as number[];
      for (let d = 0; d < rank; d++) off += (idx[d] as number) * (s[d] as number);
      return values[off] as number;
    });
    out[k] = fn(args);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (outShape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}
