/**
 * Reader of Checkmate's training graphs: networkx node-link JSON as written by Checkmate's Keras extractor
 * (`dfgraph_from_keras`), e.g. the MLSys 2020 evaluation graphs. Nodes carry `id`, `name`, `backward`,
 * `cost_cpu`, `cost_ram` (bytes); links carry `source`, `target`. Ids are the topological numbering in the
 * mirrored layout (forward 0..L-1, node "Loss" at L, gradient of i at n-1-i).
 *
 * Cost units differ between files (research note checkmate.md §7): most carry profiled V100 times quantized
 * to multiples of 5, fcn_8_vgg carries FLOP counts. The reader tells them apart by that quantization; only
 * overheads (cost ÷ Σ cost) are reported, so the unit never mixes into a result.
 *
 * No parameter memory is stored in these files. For the Keras applications whose parameter counts are
 * published, fixed memory = 8 bytes × parameters (fp32 weights + gradients), as Checkmate counts it.
 */
import { assembleTrainingGraph, checkTrainingGraph } from "../remat/training-graph-layout.js";
import type { CostUnit, TrainingGraph, TrainingNode } from "../remat/types.js";
import { fail, type Issue, ok, type Result } from "../util/issues.js";
import { locateIssues, parseJsonText } from "../util/json-text.js";

/** Keras `count_params()` of the applications (trainable + non-trainable), from Keras' documentation. */
const KERAS_PARAMS: readonly (readonly [RegExp, number])[] = [
  [/^VGG16\b/, 138_357_544],
  [/^VGG19\b/, 143_667_240],
  [/^ResNet50\b/, 25_636_712],
  [/^MobileNet\b/, 4_253_864],
];

/** True when `value` has the shape of a Checkmate node-link graph (used to pick this reader by content). */
export function looksLikeCheckmateGraph(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v["nodes"]) || !Array.isArray(v["links"])) return false;
  const first = v["nodes"][0] as Record<string, unknown> | undefined;
  return typeof first === "object" && first !== null && "cost_cpu" in first && "cost_ram" in first;
}

export function readCheckmateGraph(text: string, file: string): Result<TrainingGraph> {
  const doc = parseJsonText(text, file);
  if (!doc.ok) return doc;
  const graph = checkmateGraphFromJson(doc.value, file);
  return graph.ok ? graph : fail(locateIssues(text, graph.issues));
}

export function checkmateGraphFromJson(doc: unknown, file: string): Result<TrainingGraph> {
  const issues: Issue[] = [];
  const at = (path: (string | number)[], rest: Omit<Issue, "file" | "path">): void => {
    issues.push({ ...rest, file, path });
  };
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return fail([{ code: "invalid-type", message: "a Checkmate graph is a JSON object", file, expected: "object" }]);
  }
  const d = doc as Record<string, unknown>;
  const graphName =
    typeof d["graph"] === "object" && d["graph"] !== null
      ? String((d["graph"] as Record<string, unknown>)["name"] ?? "")
      : "";
  const rawNodes = d["nodes"];
  const rawLinks = d["links"];
  if (!Array.isArray(rawNodes)) at(["nodes"], { code: "missing-field", message: "nodes must be a list" });
  if (!Array.isArray(rawLinks)) at(["links"], { code: "missing-field", message: "links must be a list" });
  if (!Array.isArray(rawNodes) || !Array.isArray(rawLinks)) return fail(issues);
  if (rawNodes.length === 0) {
    return fail([{ code: "empty-graph", message: "the graph has no nodes", file, path: ["nodes"] }]);
  }

  const n = rawNodes.length;
  const byId: (Omit<TrainingNode, "kind"> & { backward: boolean })[] = new Array(n);
  rawNodes.forEach((raw, k) => {
    if (typeof raw !== "object" || raw === null) {
      at(["nodes", k], { code: "invalid-type", message: "a node is an object", expected: "object" });
      return;
    }
    const r = raw as Record<string, unknown>;
    const id = r["id"];
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= n) {
      at(["nodes", k, "id"], {
        code: "invalid-value",
        message: "node ids must be the integers 0..n-1",
        expected: `an integer in [0, ${n - 1}]`,
        got: JSON.stringify(id),
      });
      return;
    }
    const idx = id as number;
    if (byId[idx] !== undefined) {
      at(["nodes", k, "id"], { code: "duplicate-id", message: `node id ${idx} appears twice`, got: String(idx) });
      return;
    }
    const num = (field: "cost_cpu" | "cost_ram"): number => {
      const value = r[field];
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        at(["nodes", k, field], {
          code: value === undefined ? "missing-field" : "bad-number",
          message: `${field} must be a finite number ≥ 0`,
          expected: "number ≥ 0",
          got: JSON.stringify(value),
        });
        return 0;
      }
      return value;
    };
    const backward = r["backward"];
    if (typeof backward !== "boolean") {
      at(["nodes", k, "backward"], {
        code: backward === undefined ? "missing-field" : "invalid-type",
        message: "backward must be true or false",
        expected: "boolean",
        got: JSON.stringify(backward),
      });
    }
    byId[idx] = {
      name: typeof r["name"] === "string" ? r["name"] : String(idx),
      backward: backward === true,
      cost: num("cost_cpu"),
      memBytes: num("cost_ram"),
    };
  });

  const edges: [number, number][] = [];
  rawLinks.forEach((raw, k) => {
    const r = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const s = r["source"];
    const t = r["target"];
    for (const [field, value] of [
      ["source", s],
      ["target", t],
    ] as const) {
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= n) {
        at(["links", k, field], {
          code: "unknown-input",
          message: `link ${field} must be a node id`,
          expected: `an integer in [0, ${n - 1}]`,
          got: JSON.stringify(value),
        });
      }
    }
    if (!Number.isInteger(s) || !Number.isInteger(t)) return;
    if ((s as number) >= (t as number)) {
      at(["links", k], {
        code: "cycle",
        message: "ids must be a topological numbering: every link goes from a smaller to a larger id",
        expected: "source < target",
        got: `${s} → ${t}`,
      });
      return;
    }
    edges.push([s as number, t as number]);
  });
  if (issues.length > 0) return fail(issues);

  const L = (n - 1) / 2;
  const forwardOnly = byId.every((node) => !node.backward);
  if (forwardOnly) {
    return fail([
      {
        code: "unsupported",
        message: "this is a forward-only (inference) graph; rematerialization needs a training graph",
        file,
        path: ["nodes"],
        expected: "a *_train graph with a Loss node and gradient nodes",
      },
    ]);
  }
  const nodes: TrainingNode[] = byId.map((node, i) => ({
    name: node.name,
    kind: i < L ? "forward" : i === L ? "loss" : "backward",
    cost: node.cost,
    memBytes: node.memBytes,
  }));
  byId.forEach((node, i) => {
    if (Number.isInteger(L) && node.backward !== i >= L) {
      at(["nodes", i, "backward"], {
        code: "invalid-value",
        message: `node ${i} (${node.name}) breaks the layout forward 0..L-1, Loss at L, gradients after`,
        expected: String(i >= L),
        got: String(node.backward),
      });
    }
  });
  const params = KERAS_PARAMS.find(([re]) => re.test(graphName))?.[1];
  const batchMatch = /_(\d+)_\(/.exec(graphName);
  const costUnit: CostUnit = nodes.every((node) => node.cost % 5 === 0) ? "profiled" : "flops";
  const g = assembleTrainingGraph({
    name: graphName || file,
    nodes,
    edges,
    costUnit,
    fixedBytes: params !== undefined ? 8 * params : 0,
    ...(batchMatch ? { batch: Number(batchMatch[1]) } : {}),
  });
  for (const issue of checkTrainingGraph(g)) issues.push({ ...issue, file });
  return issues.length > 0 ? fail(issues) : ok(g);
}
