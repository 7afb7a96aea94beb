/**
 * A structural pass over protobuf bytes, guided by the message schema, that finds the first place where
 * the wire format is broken: a tag that is not a tag, a length that runs past the end of its message (a
 * truncated file), a field with the wrong wire type, nesting deeper than any real file. It returns the byte
 * offset and the field path there (`graph.node[12].attribute[0]`), which the generated decoder cannot say.
 *
 * Running it before decoding also bounds what the decoder will be asked to do: every length is checked
 * against its enclosing message, so a hostile file cannot make the decoder read past its parent.
 * Payloads (raw_data, packed numbers) are skipped by their length, never read, so the pass costs one
 * step per field whatever the size of the weights.
 */
import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import type { PathSegment } from "../../util/issues.js";

export interface WireProblem {
  readonly offset: number;
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** Real ONNX files nest graphs inside attributes a few levels deep; anything past this is hostile. */
const MAX_DEPTH = 64;

const fieldMaps = new WeakMap<DescMessage, ReadonlyMap<number, DescField>>();

function fieldsByNumber(desc: DescMessage): ReadonlyMap<number, DescField> {
  let map = fieldMaps.get(desc);
  if (!map) {
    map = new Map(desc.fields.map((f) => [f.number, f]));
    fieldMaps.set(desc, map);
  }
  return map;
}

/** Carries the first problem out of the walk; the path (a stack the walk reuses) is copied here, once. */
class Stop extends Error {
  readonly problem: WireProblem;
  constructor(problem: WireProblem) {
    super(problem.message);
    this.problem = { ...problem, path: [...problem.path] };
  }
}

const allowedCache = new WeakMap<DescField, readonly WireType[]>();

/** The wire types a field may arrive in (a repeated number may be packed into one length-delimited run). */
function allowedWireTypes(field: DescField): readonly WireType[] {
  let allowed = allowedCache.get(field);
  if (!allowed) {
    allowed = computeAllowedWireTypes(field);
    allowedCache.set(field, allowed);
  }
  return allowed;
}

function computeAllowedWireTypes(field: DescField): readonly WireType[] {
  if (field.fieldKind === "message" || field.fieldKind === "map") return [WireType.LengthDelimited];
  if (field.fieldKind === "list" && field.listKind === "message") return [WireType.LengthDelimited];
  const scalar =
    field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum")
      ? ScalarType.INT32
      : (field as { scalar: ScalarType }).scalar;
  let wire: WireType;
  switch (scalar) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return [WireType.LengthDelimited];
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      wire = WireType.Bit64;
      break;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      wire = WireType.Bit32;
      break;
    default:
      wire = WireType.Varint;
  }
  return field.fieldKind === "list" ? [wire, WireType.LengthDelimited] : [wire];
}

const WIRE_NAMES = ["varint", "fixed64", "length-delimited", "start-group", "end-group", "fixed32"];

/** The first structural problem of `bytes` read as a `desc` message, or undefined when the bytes are sound. */
/** A position in the bytes; varints are read here rather than by the decoder so every read is bounded. */
class Cursor {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  /** A varint already known to end in bounds, as a number (exact up to 2^53, enough for any length). */
  varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.buf[this.pos++] as number;
      v += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return v;
      scale *= 128;
    }
  }
}

export function checkWire(bytes: Uint8Array, desc: DescMessage): WireProblem | undefined {
  const reader = new Cursor(bytes);
  try {
    walk(reader, desc, bytes.length, [], 0);
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return e.problem;
    throw e;
  }
}

/** Steps over one varint and returns how many bytes it took. */
function readVarintEnd(reader: Cursor, end: number, path: readonly PathSegment[], what: string): number {
  const start = reader.pos;
  for (let i = 0; i < 10; i++) {
    if (reader.pos >= end) {
      throw new Stop({ offset: start, path, message: `${what} runs past the end of its message` });
    }
    const b = reader.buf[reader.pos++] as number;
    if ((b & 0x80) === 0) return i + 1;
  }
  throw new Stop({ offset: start, path, message: `${what} is longer than 10 bytes` });
}

function readLength(reader: Cursor, end: number, path: readonly PathSegment[]): number {
  const start = reader.pos;
  readVarintEnd(reader, end, path, "length");
  reader.pos = start;
  const len = reader.varint();
  if (len > end - reader.pos) {
    throw new Stop({
      offset: start,
      path,
      message: `length ${len} runs past the end of its message (${end - reader.pos} bytes left; truncated file?)`,
    });
  }
  return len;
}

function skipUnknown(
  reader: Cursor,
  wireType: number,
  fieldNo: number,
  end: number,
  path: readonly PathSegment[],
  depth: number,
): void {
  switch (wireType) {
    case WireType.Varint:
      readVarintEnd(reader, end, path, "varint");
      return;
    case WireType.Bit64:
    case WireType.Bit32: {
      const n = wireType === WireType.Bit64 ? 8 : 4;
      if (end - reader.pos < n) {
        throw new Stop({ offset: reader.pos, path, message: `${n}-byte value runs past the end of its message` });
      }
      reader.pos += n;
      return;
    }
    case WireType.LengthDelimited:
      reader.pos += readLength(reader, end, path);
      return;
    case WireType.StartGroup: {
      if (depth >= MAX_DEPTH) throw new Stop({ offset: reader.pos, path, message: "groups nested too deep" });
      for (;;) {
        const tagAt = reader.pos;
        readVarintEnd(reader, end, path, "tag");
        reader.pos = tagAt;
        const tag = reader.varint();
        const wt = tag % 8;
        if (wt === WireType.EndGroup) {
          if (Math.floor(tag / 8) !== fieldNo)
            throw new Stop({ offset: tagAt, path, message: "end-group tag does not match" });
          return;
        }
        skipUnknown(reader, wt, Math.floor(tag / 8), end, path, depth + 1);
      }
    }
    default:
      throw new Stop({ offset: reader.pos, path, message: `invalid wire type ${wireType}` });
  }
}

function walk(reader: Cursor, desc: DescMessage, end: number, path: PathSegment[], depth: number): void {
  if (depth > MAX_DEPTH) {
    throw new Stop({ offset: reader.pos, path, message: `messages nested more than ${MAX_DEPTH} deep` });
  }
  const fields = fieldsByNumber(desc);
  const counts = new Map<number, number>();
  while (reader.pos < end) {
    const tagAt = reader.pos;
    const tagBytes = readVarintEnd(reader, end, path, "tag");
    reader.pos = tagAt;
    const tag = reader.varint();
    const fieldNo = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (fieldNo === 0 || wireType > 5 || tagBytes > 5 || tag > 0xffffffff) {
      throw new Stop({ offset: tagAt, path, message: `not a protobuf tag (field ${fieldNo}, wire type ${wireType})` });
    }
    const field = fields.get(fieldNo);
    if (!field) {
      if (wireType === WireType.EndGroup) {
        throw new Stop({ offset: tagAt, path, message: "end-group tag outside a group" });
      }
      skipUnknown(reader, wireType, fieldNo, end, path, depth);
      continue;
    }
    const repeated = field.fieldKind === "list" || field.fieldKind === "map";
    const index = counts.get(fieldNo) ?? 0;
    counts.set(fieldNo, index + 1);
    // The path is one stack for the whole walk: pushed here, popped when the field is done.
    const base = path.length;
    path.push(field.name);
    if (repeated) path.push(index);
    const fieldPath = path;
    const allowed = allowedWireTypes(field);
    if (!allowed.includes(wireType)) {
      throw new Stop({
        offset: tagAt,
        path: fieldPath,
        message: `field ${field.name} arrives as ${WIRE_NAMES[wireType]}, expected ${allowed.map((w) => WIRE_NAMES[w]).join(" or ")}`,
      });
    }
    const message =
      field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")
        ? field.message
        : undefined;
    if (wireType === WireType.LengthDelimited) {
      if (message && end === reader.buf.length) {
        // A message running to the end of the file may be cut short: find the innermost place it breaks.
        const lenAt = reader.pos;
        readVarintEnd(reader, end, fieldPath, "length");
        reader.pos = lenAt;
        const len = reader.varint();
        if (len > end - reader.pos) {
          walk(reader, message, end, fieldPath, depth + 1);
          throw new Stop({
            offset: lenAt,
            path: fieldPath,
            message: `length ${len} runs past the end of the file (${end - reader.pos} bytes left; truncated file?)`,
          });
        }
        walk(reader, message, reader.pos + len, fieldPath, depth + 1);
        path.length = base;
        continue;
      }
      const len = readLength(reader, end, fieldPath);
      if (message) walk(reader, message, reader.pos + len, fieldPath, depth + 1);
      else reader.pos += len;
    } else {
      skipUnknown(reader, wireType, fieldNo, end, fieldPath, depth);
    }
    path.length = base;
  }
}
