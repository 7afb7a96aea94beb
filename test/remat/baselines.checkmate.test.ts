/**
 * The baselines on Checkmate's own graphs reproduce the research note's §8.1 table, which was produced by
 * Checkmate's artifact code (activation GB = 1e9 bytes without parameters; overhead = cost ÷ Σ cost).
 * The AP √n and greedy numbers depend on the artifact's Python iteration orders ("checkmate-artifact").
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { articulationPoints } from "../../src/remat/articulation-points.js";
import { chenGreedySweep, paretoFront } from "../../src/remat/baselines/chen-greedy.js";
import {
  checkpointAll,
  checkpointArticulationPoints,
  checkpointLastNode,
  chenSqrt,
} from "../../src/remat/baselines/simple.js";
import { evaluateSchedule } from "../../src/remat/evaluate-schedule.js";
import { forwardCount } from "../../src/remat/training-graph-layout.js";
import type { RematSchedule, TrainingGraph } from "../../src/remat/types.js";
import { type CheckmateModel, checkmateGraph, GB, skipWithoutCheckmate } from "./checkmate-graphs.js";

type Point = readonly [overhead: number, gb: number];

// §8.1: ckpt-all GB, ckpt-all-AP, last-node, √n AP, √n NOAP (overhead @ GB), #APs / #forward.
const TABLE: Record<
  CheckmateModel,
  { all: number; ap: Point; last: Point; sqrtAp: Point; sqrtNoap: Point; aps: readonly [number, number] }
> = {
  vgg16: {
    all: 19.5853,
    ap: [1.0, 19.5853],
    last: [6.6155, 13.1533],
    sqrtAp: [1.2816, 15.3155],
    sqrtNoap: [1.2816, 15.3155],
    aps: [22, 22],
  },
  vgg19: {
    all: 20.9212,
    ap: [1.0, 20.9212],
    last: [13.4159, 13.1533],
    sqrtAp: [1.5367, 17.7786],
    sqrtNoap: [1.5367, 17.7786],
    aps: [25, 25],
  },
  unet: {
    all: 22.9495,
    ap: [1.2132, 30.9085],
    last: [8.2066, 11.6269],
    sqrtAp: [1.2677, 27.5183],
    sqrtNoap: [1.4125, 15.0663],
    aps: [10, 35],
  },
  fcn8: {
    all: 14.8044,
    ap: [1.1865, 13.8371],
    last: [11.2473, 8.2879],
    sqrtAp: [1.304, 8.6641],
    sqrtNoap: [1.5076, 12.578],
    aps: [14, 36],
  },
  segnet: {
    all: 23.4964,
    ap: [1.0, 23.4964],
    last: [21.3932, 8.2879],
    sqrtAp: [1.5777, 15.4115],
    sqrtNoap: [1.5777, 15.4115],
    aps: [38, 38],
  },
  mobilenet: {
    all: 37.8258,
    ap: [1.0, 37.8258],
    last: [7.7088, 6.6357],
    sqrtAp: [1.1437, 18.0441],
    sqrtNoap: [1.1437, 18.0441],
    aps: [92, 92],
  },
  resnet50: {
    all: 40.3232,
    ap: [1.1769, 24.0357],
    last: [33.8118, 32.1126],
    sqrtAp: [1.1956, 34.2203],
    sqrtNoap: [1.7883, 15.2856],
    aps: [40, 176],
  },
};

// §8.1 Chen greedy Pareto fronts (act GB, ovh); the sweep step was 0.05 for MobileNet and ResNet-50.
const GREEDY: Partial<Record<CheckmateModel, { ap: readonly Point[]; noap: readonly Point[] }>> = {
  vgg16: {
    ap: [
      [1.078, 13.153],
      [1.052, 14.508],
      [1.039, 18.086],
      [1.0, 19.585],
    ],
    noap: [],
  },
  unet: {
    ap: [
      [1.231, 23.688],
      [1.226, 26.278],
      [1.221, 28.868],
      [1.216, 29.929],
      [1.213, 30.909],
      [1.0, 36.575],
    ],
    noap: [
      [1.272, 13.018],
      [1.239, 14.313],
      [1.231, 15.659],
      [1.199, 16.213],
      [1.196, 17.767],
      [1.171, 18.828],
      [1.113, 20.73],
      [1.043, 22.488],
      [1.0, 22.95],
    ],
  },
  fcn8: {
    ap: [
      [1.304, 9.598],
      [1.245, 10.001],
      [1.088, 10.36],
      [1.059, 10.961],
      [1.045, 11.997],
      [1.0, 22.357],
    ],
    noap: [
      [1.226, 8.676],
      [1.088, 10.36],
      [1.074, 11.655],
      [1.045, 11.997],
      [1.022, 14.079],
      [1.015, 14.532],
      [1.0, 14.804],
    ],
  },
  resnet50: {
    ap: [
      [1.133, 16.266],
      [1.123, 16.912],
      [1.109, 19.746],
      [1.06, 20.963],
      [1.05, 25.594],
      [1.041, 29.293],
      [1.023, 38.747],
      [1.023, 40.391],
      [1.0, 75.551],
    ],
    noap: [
      [1.299, 12.977],
      [1.25, 14.489],
      [1.217, 15.624],
      [1.21, 19.438],
      [1.188, 19.524],
      [1.141, 19.541],
      [1.098, 22.813],
      [1.059, 30.006],
      [1.051, 38.14],
      [1.029, 39.271],
      [1.0, 40.323],
    ],
  },
  mobilenet: {
    ap: [
      [1.095, 12.742],
      [1.074, 14.24],
      [1.068, 20.671],
      [1.035, 24.751],
      [1.025, 36.542],
      [1.0, 37.826],
    ],
    noap: [],
  },
};

function assertPoint(g: TrainingGraph, schedule: RematSchedule, [ovh, gb]: Point, digits: number, what: string): void {
  const v = evaluateSchedule(g, schedule);
  assert.deepEqual(v.issues, [], what);
  const tol = 0.5 * 10 ** -digits + 1e-12;
  assert.ok(Math.abs(v.stats.overhead - ovh) <= tol, `${what}: overhead ${v.stats.overhead} vs ${ovh}`);
  assert.ok(Math.abs(v.stats.activationBytes / GB - gb) <= tol, `${what}: ${v.stats.activationBytes / GB} GB vs ${gb}`);
}

describe("baselines reproduce Checkmate's artifact (§8.1)", { skip: skipWithoutCheckmate }, () => {
  for (const [model, row] of Object.entries(TABLE) as [CheckmateModel, (typeof TABLE)[CheckmateModel]][]) {
    test(`${model}: checkpoint all / APs / last node / √n`, () => {
      const g = checkmateGraph(model);
      assert.deepEqual([articulationPoints(g).length, forwardCount(g)], row.aps);
      assertPoint(g, checkpointAll(g), [1, row.all], 4, "checkpoint all");
      assertPoint(g, checkpointArticulationPoints(g), row.ap, 4, "checkpoint APs");
      assertPoint(g, checkpointLastNode(g), row.last, 4, "last node");
      assertPoint(g, chenSqrt(g, true, "checkmate-artifact"), row.sqrtAp, 4, "√n AP");
      assertPoint(g, chenSqrt(g, false, "checkmate-artifact"), row.sqrtNoap, 4, "√n NOAP");
    });
  }

  test("the artifact's set order is what moves ResNet-50's AP √n off ascending order", () => {
    const g = checkmateGraph("resnet50");
    assertPoint(g, chenSqrt(g, true, "checkmate-artifact"), [1.1956, 34.2203], 4, "artifact order");
    const plain = evaluateSchedule(g, chenSqrt(g, true, "topological")).stats;
    assert.notEqual(plain.overhead.toFixed(4), "1.1956");
  });

  for (const [model, fronts] of Object.entries(GREEDY) as [CheckmateModel, { ap: Point[]; noap: Point[] }][]) {
    test(`${model}: Chen greedy Pareto fronts`, () => {
      const g = checkmateGraph(model);
      const step = model === "mobilenet" || model === "resnet50" ? 0.05 : 0.01;
      for (const [ap, want] of [
        [true, fronts.ap],
        [false, fronts.noap],
      ] as const) {
        if (want.length === 0) continue;
        const front = paretoFront(chenGreedySweep(g, ap, step, "checkmate-artifact"));
        for (const [ovh, gb] of want) {
          const hit = front.find(
            (r) => Math.abs(r.stats.overhead - ovh) <= 5e-4 && Math.abs(r.stats.activationBytes / GB - gb) <= 5e-4,
          );
          assert.ok(hit, `${model} ${ap ? "AP" : "NOAP"}: (${gb} GB, ${ovh}) missing from the front`);
        }
      }
    });
  }
});
