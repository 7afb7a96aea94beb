/**
 * dagpipe's JSON graph format (docs/formats.md, "Graph"): read with a strict schema, derive what the file
 * leaves out through the op kinds, validate, and report every problem with its JSON path and line.
 * The writer puts one op per line, so a line number points at one op; reading what it wrote gives the same
 * graph back.
 */

import type { z } from "zod";
import { type GraphFile, graphFileSchema, type OpEntry } from "../graph/graph-schema.js";
import { buildGraph, type OpSpec } from "../graph/op-kinds/index.js";
import type { Graph, Op } from "../graph/types.js";
import { validateGraph } from "../graph/validate.js";
import { fail, type Issue, type PathSegment, type Result, toDotPath } from "../util/issues.js";
import { locateIssues, parseJsonText } from "../util/json-text.js";
import { valueAt, zodIssues } from "../util/zod-issues.js";

export const GRAPH_FORMAT = "dagpipe-graph";

export function readGraphJson(text: string, file: string): Result<Graph> {
  const json = parseJsonText(text, file);
  if (!json.ok) return json;
  const data = json.value;
  const parsed = graphFileSchema.safeParse(data);
  if (!parsed.success) return fail(locateIssues(text, schemaIssues(parsed.error, data), file));
  const doc: GraphFile = parsed.data;
  const built = buildGraph(doc.name ?? baseName(file), doc.dtype ?? "fp16", doc.ops.map(toSpec), doc.source);
  if (!built.ok) return fail(locateIssues(text, built.issues, file));
  const invalid = validateGraph(built.value);
  if (invalid.length > 0) return fail(locateIssues(text, invalid, file));
  return built;
}

/** zod's issues with messages that name the op (`op "layer3.fc1" (ops[12])`), and unknown kinds as such. */
function schemaIssues(error: z.ZodError, root: unknown): Issue[] {
  const placeName = (path: readonly PathSegment[]) => opPlaceName(root, path);
  return zodIssues(error, root, { placeName }).map((i) =>
    i.code === "invalid-value" && i.path?.[i.path.length - 1] === "kind" && i.path[0] === "ops"
      ? { ...i, code: "unknown-kind", message: `${placeName(i.path)} ${i.got} is not an op kind` }
      : i,
  );
}

/** `op "x" (ops[3])` for paths inside an op, so a reader of a long file knows which op is meant. */
function opPlaceName(root: unknown, path: readonly PathSegment[]): string {
  if (path[0] === "ops" && typeof path[1] === "number") {
    const id = valueAt(root, ["ops", path[1], "id"]);
    const rest = toDotPath(path.slice(2));
    const op = typeof id === "string" ? `op "${id}" (ops[${path[1]}])` : `ops[${path[1]}]`;
    return rest === "" ? op : `${op} ${rest}`;
  }
  return toDotPath(path) || "the document";
}

function toSpec(e: OpEntry): OpSpec {
  const { inputs, attrs, ...rest } = e;
  return { ...rest, inputs: inputs ?? [], attrs: attrs ?? {} } as OpSpec;
}

/** File name without folders and extension: the graph's name when the file gives none. */
function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/\.[^.]*$/, "") || "graph";
}

/** The graph as a dagpipe JSON document: every field explicit, one op per line. */
export function writeGraphJson(g: Graph): string {
  const head: Record<string, unknown> = { format: GRAPH_FORMAT, version: 1, name: g.name, dtype: g.dtype };
  if (g.source !== undefined) head.source = g.source;
  const lines = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const ops = g.ops.map((op, i) => `    ${JSON.stringify(opRecord(op))}${i < g.ops.length - 1 ? "," : ""}`);
  return ["{", ...lines, '  "ops": [', ...ops, "  ]", "}", ""].join("\n");
}

/** Fields in a fixed, readable order (identity, wiring, attributes, shape, costs, profile). */
function opRecord(op: Op): Record<string, unknown> {
  return {
    id: op.id,
    ...(op.name !== undefined ? { name: op.name } : {}),
    kind: op.kind,
    inputs: op.inputs,
    attrs: op.attrs,
    outShape: op.outShape,
    outBytesPerSample: op.outBytesPerSample,
    params: op.params,
    paramBytes: op.paramBytes,
    fwdFlopsPerSample: op.fwdFlopsPerSample,
    bwdFlopsPerSample: op.bwdFlopsPerSample,
    savedBytesPerSample: op.savedBytesPerSample,
    ...(op.workspaceBytesPerSample !== undefined ? { workspaceBytesPerSample: op.workspaceBytesPerSample } : {}),
    ...(op.profile !== undefined ? { profile: op.profile } : {}),
  };
}
