/**
 * Importing models: parse time and peak memory of the ONNX reader on the largest committed fixture
 * (GoogLeNet, weight-stripped), on a 300 MB ONNX file with real weight bytes, and on a 10,002-node graph,
 * both generated here into a temporary folder and deleted afterwards. Target (issue 6): a 10–400 MB model loads holding one copy of
 * its weights — the file buffer; the decoder returns raw_data as views into it, never copies.
 *
 * Memory is measured in a child process per file (peak resident set, VmHWM), against a child that
 * loads the same modules and reads nothing, so the parent's own 300 MB (the generated model) does not count.
 * Also: a Hugging Face config (Llama-2-7B) and the FlexFlow profile fixture, in process, best of 5.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { readFlexflowProfile } from "../src/io/flexflow-profile.js";
import { readHfConfig } from "../src/io/hf-config.js";
import { loadGraphFile } from "../src/io/load-graph-file.js";
import { ModelProtoSchema, type NodeProtoSchema, type TensorProtoSchema } from "../src/io/onnx/generated/onnx_pb.js";
import { readOnnx } from "../src/io/onnx/read-onnx.js";
import { type Bench, table, timeBest } from "./harness.js";

const SELF = fileURLToPath(import.meta.url);
const CHILD_FLAG = "--dagpipe-import-child";
const MB = 1024 * 1024;

/**
 * Peak resident memory of this process. Linux's VmHWM belongs to the current address space; getrusage's
 * maxRSS is not used because it survives exec and so reports the forking parent's size (300 MB here).
 */
function peakRssBytes(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Child mode: load one file cold through loadGraphFile (read, sniff, decode, analyse, build, validate) and
 * record the peak memory of that one load; then time reading and parsing separately. Reports JSON.
 */
async function child(path: string | undefined): Promise<void> {
  const out: Record<string, number> = {};
  if (path) {
    const t0 = performance.now();
    const r = loadGraphFile(path);
    out["firstSec"] = (performance.now() - t0) / 1000;
    if (!r.ok) throw new Error(r.issues.map((i) => i.message).join("; "));
    out["ops"] = r.value.ops.length;
    out["params"] = r.value.ops.reduce((s, op) => s + op.params, 0);
    // Peak after one load, before the timing loop (whose garbage could overlap one load with the next).
    out["maxRssBytes"] = peakRssBytes();
    // Then the two halves, best of 3: reading the file, and parsing bytes already in memory.
    out["readSec"] = (await timeBest(3, () => readFileSync(path).length)).sec;
    const bytes = readFileSync(path);
    out["parseSec"] = (await timeBest(3, () => readOnnx(bytes, path).ok)).sec;
  }
  out["maxRssBytes"] ??= peakRssBytes();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(path?: string): Record<string, number> {
  const r = spawnSync(process.execPath, ["--import", "tsx", SELF, CHILD_FLAG, ...(path ? [path] : [])], {
    encoding: "utf8",
    maxBuffer: 16 * MB,
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as Record<string, number>;
}

/** The ONNX bytes of a float32 graph from input "x" to output "y", both [1, width]. */
function onnxModelBytes(
  name: string,
  width: number,
  node: MessageInitShape<typeof NodeProtoSchema>[],
  initializer: MessageInitShape<typeof TensorProtoSchema>[],
): Uint8Array {
  const vi = (tensor: string) => ({
    name: tensor,
    type: {
      value: {
        case: "tensorType" as const,
        value: {
          elemType: 1,
          shape: { dim: [1, width].map((d) => ({ value: { case: "dimValue" as const, value: BigInt(d) } })) },
        },
      },
    },
  });
  return toBinary(
    ModelProtoSchema,
    create(ModelProtoSchema, {
      irVersion: 8n,
      producerName: "dagpipe-bench",
      opsetImport: [{ domain: "", version: 14n }],
      graph: { name, node, initializer, input: [vi("x")], output: [vi("y")] },
    }),
  );
}

/**
 * An MLP of `layers` Gemm layers of width × width float32 weights with real (zero) bytes in raw_data:
 * the shape of a real exported file, written without holding more than the output buffer.
 */
function bigModel(layers: number, width: number): Uint8Array {
  const weight = new Uint8Array(width * width * 4);
  const bias = new Uint8Array(width * 4);
  const dims = (d: number[]) => d.map(BigInt);
  const initializer = [];
  const node = [];
  let x = "x";
  for (let i = 0; i < layers; i++) {
    initializer.push({ name: `w${i}`, dims: dims([width, width]), dataType: 1, rawData: weight });
    initializer.push({ name: `b${i}`, dims: dims([width]), dataType: 1, rawData: bias });
    const y = i === layers - 1 ? "y" : `h${i}`;
    node.push({ opType: "Gemm", name: `fc${i}`, input: [x, `w${i}`, `b${i}`], output: [y] });
    x = y;
  }
  return onnxModelBytes("mlp", width, node, initializer);
}

/** A deep chain of MatMul + Add + Relu (3 nodes per layer, 64-wide, weights stripped): many nodes, few bytes. */
function deepModel(layers: number): Uint8Array {
  const width = 64;
  const initializer = [];
  const node = [];
  let x = "x";
  for (let i = 0; i < layers; i++) {
    initializer.push({ name: `w${i}`, dims: [BigInt(width), BigInt(width)], dataType: 1 });
    initializer.push({ name: `b${i}`, dims: [BigInt(width)], dataType: 1 });
    node.push({ opType: "MatMul", name: `mm${i}`, input: [x, `w${i}`], output: [`m${i}`] });
    node.push({ opType: "Add", name: `add${i}`, input: [`m${i}`, `b${i}`], output: [`a${i}`] });
    const y = i === layers - 1 ? "y" : `r${i}`;
    node.push({ opType: "Relu", name: `relu${i}`, input: [`a${i}`], output: [y] });
    x = y;
  }
  return onnxModelBytes("deep", width, node, initializer);
}

const ms = (sec: number) => (sec * 1000).toFixed(1);
const mib = (bytes: number) => (bytes / MB).toFixed(0);

export const bench: Bench = {
  name: "import",
  description: "ONNX / HF config / FlexFlow profile import: parse time and peak memory (child processes)",
  async run() {
    const base = runChild();
    const rows: (string | number)[][] = [];
    const measure = (label: string, path: string) => {
      const size = statSync(path).size;
      const c = runChild(path);
      const over = (c["maxRssBytes"] ?? 0) - (base["maxRssBytes"] ?? 0);
      rows.push([
        label,
        (size / MB).toFixed(1),
        c["ops"] ?? 0,
        ms(c["firstSec"] ?? 0),
        ms(c["readSec"] ?? 0),
        ms(c["parseSec"] ?? 0),
        mib(c["maxRssBytes"] ?? 0),
        mib(over),
        (over / size).toFixed(2),
      ]);
    };
    measure(
      "googlenet.onnx (largest fixture, stripped)",
      fileURLToPath(new URL("../test/fixtures/onnx/googlenet.onnx", import.meta.url)),
    );
    const dir = mkdtempSync(join(tmpdir(), "dagpipe-import-bench-"));
    try {
      const path = join(dir, "mlp-300mb.onnx");
      writeFileSync(path, bigModel(18, 2048));
      measure("generated MLP, 18 × Gemm 2048² (real bytes)", path);
      rmSync(path);
      const deep = join(dir, "deep-10k.onnx");
      writeFileSync(deep, deepModel(3334));
      measure("generated chain, 10,002 nodes (MatMul+Add+Relu)", deep);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`baseline child (modules loaded, nothing read): peak RSS ${mib(base["maxRssBytes"] ?? 0)} MiB\n`);
    console.log(
      table(
        [
          "file",
          "MiB",
          "ops",
          "cold load ms",
          "read ms",
          "parse ms",
          "peak RSS MiB",
          "over baseline MiB",
          "× file size",
        ],
        rows,
      ),
    );

    const llama = readFileSync(fileURLToPath(new URL("../test/fixtures/hf/llama-2-7b.json", import.meta.url)), "utf8");
    const profile = readFileSync(
      fileURLToPath(new URL("../test/fixtures/flexflow/two-branch.json", import.meta.url)),
      "utf8",
    );
    const hf = await timeBest(5, () => readHfConfig(llama, "llama-2-7b.json"));
    const ff = await timeBest(5, () => readFlexflowProfile(profile, "two-branch.json"));
    console.log(
      `\n${table(
        ["reader (in process)", "ops", "best ms"],
        [
          ["Hugging Face config: llama-2-7b.json", hf.value.ok ? hf.value.value.ops.length : 0, ms(hf.sec)],
          ["FlexFlow profile: two-branch.json", ff.value.ok ? ff.value.value.ops.length : 0, ms(ff.sec)],
        ],
      )}`,
    );
  },
};

if (process.argv.includes(CHILD_FLAG)) {
  await child(process.argv[process.argv.indexOf(CHILD_FLAG) + 1]);
}
