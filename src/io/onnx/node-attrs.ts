/**
 * Typed access to a node's attributes. A missing attribute gives the operator's default; an attribute of
 * the wrong type is a `NodeError` that names it (the driver turns it into an issue at
 * `graph.node[i].attribute[j]`).
 */
import type { IssueCode, PathSegment } from "../../util/issues.js";
import { AttributeProto_AttributeType as AT, type AttributeProto, type TensorProto } from "./generated/onnx_pb.js";

/** A problem of one node, raised inside inference and turned into an issue with the node's path. */
export class NodeError extends Error {
  override readonly name = "NodeError";
  constructor(
    message: string,
    readonly code: IssueCode,
    /** Path below the node, e.g. ["attribute", 2] or ["input", 1]. */
    readonly where: readonly PathSegment[] = [],
    readonly expected?: string,
    readonly got?: string,
  ) {
    super(message);
  }
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  [AT.FLOAT]: "float",
  [AT.INT]: "int",
  [AT.STRING]: "string",
  [AT.TENSOR]: "tensor",
  [AT.GRAPH]: "graph",
  [AT.FLOATS]: "floats",
  [AT.INTS]: "ints",
  [AT.STRINGS]: "strings",
  [AT.TENSORS]: "tensors",
  [AT.GRAPHS]: "graphs",
};

/** IR version 1 files carry no type tag; the type is whichever value field is set. */
function typeOf(a: AttributeProto): number {
  if (a.type !== AT.UNDEFINED) return a.type;
  if (a.ints.length > 0) return AT.INTS;
  if (a.floats.length > 0) return AT.FLOATS;
  if (a.strings.length > 0) return AT.STRINGS;
  if (a.t) return AT.TENSOR;
  if (a.g) return AT.GRAPH;
  if (a.s.length > 0) return AT.STRING;
  if (a.i !== 0n) return AT.INT;
  return AT.FLOAT;
}

const decoder = new TextDecoder();

function toSafeNumber(v: bigint): number {
  // int64 attribute values outside the double range (INT64_MAX as "to the end") clamp; shapes never need them exact.
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}

export class NodeAttrs {
  private readonly byName = new Map<string, { attr: AttributeProto; index: number }>();

  constructor(attributes: readonly AttributeProto[]) {
    attributes.forEach((attr, index) => {
      if (!this.byName.has(attr.name)) this.byName.set(attr.name, { attr, index });
    });
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private get(name: string, type: number): AttributeProto | undefined {
    const found = this.byName.get(name);
    if (!found) return undefined;
    const got = typeOf(found.attr);
    if (got !== type) {
      throw new NodeError(
        `attribute ${name} is a ${TYPE_NAMES[got] ?? `type ${got}`}, expected ${TYPE_NAMES[type]}`,
        "invalid-type",
        ["attribute", found.index],
        TYPE_NAMES[type],
        TYPE_NAMES[got] ?? String(got),
      );
    }
    return found.attr;
  }

  int(name: string, fallback: number): number;
  int(name: string): number | undefined;
  int(name: string, fallback?: number): number | undefined {
    const a = this.get(name, AT.INT);
    return a ? toSafeNumber(a.i) : fallback;
  }

  ints(name: string, fallback: readonly number[]): readonly number[];
  ints(name: string): readonly number[] | undefined;
  ints(name: string, fallback?: readonly number[]): readonly number[] | undefined {
    const a = this.get(name, AT.INTS);
    return a ? a.ints.map(toSafeNumber) : fallback;
  }

  float(name: string, fallback: number): number;
  float(name: string): number | undefined;
  float(name: string, fallback?: number): number | undefined {
    const a = this.get(name, AT.FLOAT);
    return a ? a.f : fallback;
  }

  floats(name: string): readonly number[] | undefined {
    return this.get(name, AT.FLOATS)?.floats;
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const a = this.get(name, AT.STRING);
    return a ? decoder.decode(a.s) : fallback;
  }

  strings(name: string): readonly string[] | undefined {
    return this.get(name, AT.STRINGS)?.strings.map((s) => decoder.decode(s));
  }

  tensor(name: string): { tensor: TensorProto; index: number } | undefined {
    const a = this.get(name, AT.TENSOR);
    const found = this.byName.get(name);
    return a?.t && found ? { tensor: a.t, index: found.index } : undefined;
  }

  /** Path of an attribute below its node, for issues about its value. */
  where(name: string): readonly PathSegment[] {
    const found = this.byName.get(name);
    return found ? ["attribute", found.index] : [];
  }
}
