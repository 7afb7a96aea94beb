/**
 * Checkmate's MLSys graphs for tests. They are GPL-3.0 data kept outside the project, in
 * ../shared/checkmate-graphs/ relative to the repository root; tests that need them skip (saying so) when
 * the folder is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readCheckmateGraph } from "../../src/io/checkmate-graph.js";
import type { TrainingGraph } from "../../src/remat/types.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const CHECKMATE_DIR = fileURLToPath(new URL("../shared/checkmate-graphs/", `file://${repoRoot}`));

export const CHECKMATE_FILES = {
  vgg16: "VGG16 (MLSys)_256_(224, 224, 3)_train_nx.json",
  vgg19: "VGG19 (MLSys)_256_(224, 224, 3)_train_nx.json",
  mobilenet: "MobileNet (MLSys)_512_(224, 224, 3)_train_nx.json",
  resnet50: "ResNet50 (MLSys)_256_(224, 224, 3)_train_nx.json",
  unet: "vgg_unet (MLSys)_32_(416, 608, 3)_train_nx.json",
  fcn8: "fcn_8_vgg (MLSys)_32_(416, 608, 3)_train_nx.json",
  segnet: "segnet (MLSys)_32_(416, 608, 3)_train_nx.json",
} as const;

export type CheckmateModel = keyof typeof CHECKMATE_FILES;

/** `false` when present, else the reason to skip (node:test's `skip` option). */
export const skipWithoutCheckmate: string | false = existsSync(CHECKMATE_DIR)
  ? false
  : `Checkmate graphs not found at ${CHECKMATE_DIR} (GPL-3.0 data kept outside the repository)`;

export function checkmateGraph(model: CheckmateModel): TrainingGraph {
  const file = CHECKMATE_FILES[model];
  const r = readCheckmateGraph(readFileSync(CHECKMATE_DIR + file, "utf8"), file);
  if (!r.ok) throw new Error(`cannot read ${file}: ${r.issues.map((i) => i.message).join("; ")}`);
  return r.value;
}

export const GB = 1e9;
