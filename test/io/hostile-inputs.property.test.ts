/**
 * 10,000 random mutations of valid files never crash a reader: each one either reads into a graph that
 * passes validation, or comes back as issues (the exit-2 path), each naming the file. Mutations:
 * - ONNX bytes: flips, truncations, insertions, deletions, overwritten runs (4,000);
 * - ONNX models edited as protobuf: rewired inputs (cycles, dangling edges), random dims (negative, huge,
 *   zero), changed attributes and operator types, deleted or reordered nodes (2,000);
 * - Hugging Face config.json and FlexFlow profile.json: random JSON values at random paths, deleted keys,
 *   and raw text edits (2,000 each).
 * Each property also asserts that both outcomes were reached, so a generator that only produced garbage
 * (or only valid files) would fail rather than pass vacuously.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import type { Graph } from "../../src/graph/types.js";
import { validateGraph } from "../../src/graph/validate.js";
import { readFlexflowProfile } from "../../src/io/flexflow-profile.js";
import { readHfConfig } from "../../src/io/hf-config.js";
import { AttributeProto_AttributeType as AT, ModelProtoSchema } from "../../src/io/onnx/generated/onnx_pb.js";
import { readOnnx } from "../../src/io/onnx/read-onnx.js";
import type { Result } from "../../src/util/issues.js";
import { fixtureBytes } from "./onnx-fixture-helpers.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

interface Tally {
  ok: number;
  failed: number;
  codes: Set<string>;
}

const tally = (): Tally => ({ ok: 0, failed: 0, codes: new Set() });

/** The invariant: a valid graph, or issues that each name the file. Never a throw. */
function check(read: () => Result<Graph>, file: string, t: Tally): void {
  const r = read();
  if (r.ok) {
    t.ok++;
    assert.deepEqual(validateGraph(r.value), [], "a graph the reader accepts must be valid");
    for (const op of r.value.ops) {
      for (const v of [op.params, op.outBytesPerSample, op.fwdFlopsPerSample, op.bwdFlopsPerSample]) {
        assert.ok(Number.isFinite(v) && v >= 0, `${op.id}: ${v}`);
      }
    }
  } else {
    t.failed++;
    assert.ok(r.issues.length > 0);
    for (const issue of r.issues) {
      t.codes.add(issue.code);
      assert.equal(issue.file, file);
      assert.ok(issue.message.length > 0);
    }
  }
}

const ONNX_BASES = ["tiny-mlp", "branch-cnn", "tiny-mlp-constants", "tiny-mlp-custom-op"].map(fixtureBytes);

type ByteEdit =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: number[] }
  | { kind: "delete"; at: number; len: number }
  | { kind: "overwrite"; at: number; bytes: number[] };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({
    kind: fc.constant("overwrite" as const),
    at: fc.nat(),
    bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 8 }),
  }),
);

function applyBytes(base: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let b = Array.from(base);
  for (const e of edits) {
    const at = b.length === 0 ? 0 : e.at % b.length;
    if (e.kind === "flip") b[at] = (b[at] ?? 0) ^ (1 << e.bit);
    else if (e.kind === "truncate") b = b.slice(0, at);
    else if (e.kind === "insert") b.splice(at, 0, ...e.bytes);
    else if (e.kind === "delete") b.splice(at, e.len);
    else {
      for (const [i, v] of e.bytes.entries()) b[(at + i) % Math.max(1, b.length)] = v;
    }
  }
  return new Uint8Array(b);
}

/** A random edit of the decoded model: rewire, resize, retype, remove, reorder. */
const modelEdit = fc.record({
  what: fc.constantFrom("rewire", "dims", "input-dims", "attr", "op-type", "delete", "swap", "output-name"),
  node: fc.nat(),
  slot: fc.nat(),
  pick: fc.nat(),
  value: fc.oneof(fc.integer({ min: -3, max: 70 }), fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, 1e15)),
  opType: fc.constantFrom(
    "Conv",
    "Gemm",
    "MatMul",
    "Reshape",
    "Concat",
    "Softmax",
    "Slice",
    "Gather",
    "Relu",
    "Split",
    "Transpose",
    "BatchNormalization",
    "MaxPool",
    "Weird",
  ),
});

type ModelEdit = typeof modelEdit extends fc.Arbitrary<infer T> ? T : never;

function editModel(base: Uint8Array, edits: readonly ModelEdit[]): Uint8Array {
  const m = fromBinary(ModelProtoSchema, base);
  const g = m.graph;
  if (!g) return base;
  const names = [
    ...g.input.map((i) => i.name),
    ...g.initializer.map((t) => t.name),
    ...g.node.flatMap((n) => n.output),
  ];
  for (const e of edits) {
    const node = g.node.length > 0 ? g.node[e.node % g.node.length] : undefined;
    switch (e.what) {
      case "rewire":
        if (node && node.input.length > 0) node.input[e.slot % node.input.length] = names[e.pick % names.length] ?? "x";
        break;
      case "dims": {
        const t = g.initializer.length > 0 ? g.initializer[e.pick % g.initializer.length] : undefined;
        if (t && t.dims.length > 0) t.dims[e.slot % t.dims.length] = BigInt(Math.trunc(e.value));
        break;
      }
      case "input-dims": {
        const shape = g.input[0]?.type?.value.case === "tensorType" ? g.input[0].type.value.value.shape : undefined;
        const d = shape && shape.dim.length > 0 ? shape.dim[e.slot % shape.dim.length] : undefined;
        if (d) d.value = { case: "dimValue", value: BigInt(Math.trunc(e.value)) };
        break;
      }
      case "attr": {
        const a = node && node.attribute.length > 0 ? node.attribute[e.slot % node.attribute.length] : undefined;
        if (a?.type === AT.INT) a.i = BigInt(Math.trunc(e.value));
        else if (a?.type === AT.INTS && a.ints.length > 0) a.ints[e.pick % a.ints.length] = BigInt(Math.trunc(e.value));
        else if (a) a.type = (e.value & 7) as AT;
        break;
      }
      case "op-type":
        if (node) node.opType = e.opType;
        break;
      case "delete":
        if (g.node.length > 0) g.node.splice(e.node % g.node.length, 1);
        break;
      case "swap":
        if (g.node.length > 1) {
          const i = e.node % g.node.length;
          const j = e.pick % g.node.length;
          [g.node[i], g.node[j]] = [g.node[j]!, g.node[i]!];
        }
        break;
      case "output-name":
        if (node && node.output.length > 0) node.output[0] = names[e.pick % names.length] ?? "y";
        break;
    }
  }
  return toBinary(ModelProtoSchema, m);
}

/** The published configs cut to two layers: the mutations are about keys and values, not depth. */
const HF_BASES = ["llama-3-8b", "gpt2", "bert-base-uncased"].map((n) =>
  readFileSync(`${FIXTURES}hf/${n}.json`, "utf8").replace(/"(num_hidden_layers|n_layer)": \d+/, '"$1": 2'),
);
const FF_BASE = readFileSync(`${FIXTURES}flexflow/two-branch.json`, "utf8");

/** JSON mutations: a random value at a random path, a deleted key, or a raw text edit. */
const jsonEdit = fc.record({
  what: fc.constantFrom("set", "set", "delete", "text-delete", "text-insert"),
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 0, 1, 2 ** 40, 7, "llama", "gpt2", "bert", null)),
  at: fc.nat(),
  text: fc.string({ maxLength: 4 }),
});

type JsonEdit = typeof jsonEdit extends fc.Arbitrary<infer T> ? T : never;

function editJson(text: string, e: JsonEdit): string {
  if (e.what === "text-delete") {
    const at = e.at % Math.max(1, text.length);
    return text.slice(0, at) + text.slice(at + 1 + (e.at % 5));
  }
  if (e.what === "text-insert") {
    const at = e.at % Math.max(1, text.length);
    return text.slice(0, at) + e.text + text.slice(at);
  }
  const doc = JSON.parse(text) as unknown;
  let parent: unknown = doc;
  for (let i = 0; i < e.path.length; i++) {
    if (parent === null || typeof parent !== "object") break;
    const keys = Object.keys(parent as object);
    if (keys.length === 0) break;
    const key = keys[(e.path[i] as number) % keys.length] as string;
    const last = i === e.path.length - 1;
    const child = (parent as Record<string, unknown>)[key];
    if (last || child === null || typeof child !== "object") {
      if (e.what === "delete") delete (parent as Record<string, unknown>)[key];
      else (parent as Record<string, unknown>)[key] = e.value;
      break;
    }
    parent = child;
  }
  return JSON.stringify(doc, null, 1);
}

describe("random mutations never crash a reader", () => {
  it("4,000 byte-level mutations of ONNX files", () => {
    const t = tally();
    fc.assert(
      fc.property(fc.nat(ONNX_BASES.length - 1), fc.array(byteEdit, { minLength: 1, maxLength: 4 }), (i, edits) => {
        check(() => readOnnx(applyBytes(ONNX_BASES[i]!, edits), "m.onnx"), "m.onnx", t);
      }),
      { numRuns: 4000, seed: 6 },
    );
    assert.ok(t.ok > 0 && t.failed > 0, JSON.stringify({ ...t, codes: [...t.codes] }));
    assert.ok(t.codes.has("parse-error"));
  });

  it("2,000 edits of decoded ONNX models (rewiring, dims, attributes, operators)", () => {
    const t = tally();
    fc.assert(
      fc.property(fc.nat(ONNX_BASES.length - 1), fc.array(modelEdit, { minLength: 1, maxLength: 3 }), (i, edits) => {
        check(() => readOnnx(editModel(ONNX_BASES[i]!, edits), "m.onnx"), "m.onnx", t);
      }),
      { numRuns: 2000, seed: 6 },
    );
    assert.ok(t.ok > 0 && t.failed > 0);
    // The edits reach the graph-level checks, not just the decoder.
    for (const code of ["unknown-input", "cycle", "bad-number", "shape-mismatch", "duplicate-id"]) {
      assert.ok(t.codes.has(code), `no mutation produced ${code}: ${[...t.codes].join(", ")}`);
    }
  });

  it("2,000 mutations of Hugging Face config.json files", () => {
    const t = tally();
    fc.assert(
      fc.property(fc.nat(HF_BASES.length - 1), jsonEdit, (i, e) => {
        const text = editJson(HF_BASES[i]!, e);
        // Mutations may ask for absurd models (2^40 layers); the reader must refuse them, not build them.
        check(() => readHfConfig(text, "config.json", { seq: 16 }), "config.json", t);
      }),
      { numRuns: 2000, seed: 6 },
    );
    assert.ok(t.ok > 0 && t.failed > 0);
    assert.ok(t.codes.has("parse-error") && t.codes.has("invalid-type"));
  });

  it("2,000 mutations of FlexFlow profile.json files", () => {
    const t = tally();
    fc.assert(
      fc.property(jsonEdit, (e) => {
        check(() => readFlexflowProfile(editJson(FF_BASE, e), "profile.json"), "profile.json", t);
      }),
      { numRuns: 2000, seed: 6 },
    );
    assert.ok(t.ok > 0 && t.failed > 0);
    assert.ok(t.codes.has("parse-error") && t.codes.has("unknown-input"));
  });
});
