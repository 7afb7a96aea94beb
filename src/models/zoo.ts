/**
 * The built-in model zoo: an explicit record (nothing registers itself on import). Lookup ignores case;
 * a miss names every model.
 */
import type { Graph } from "../graph/types.js";
import { fail, ok, type Result, unwrap } from "../util/issues.js";
import { bert } from "./bert.js";
import { candleUno } from "./candle-uno.js";
import { dlrm } from "./dlrm.js";
import { gpt } from "./gpt.js";
import { inception } from "./inception.js";
import { mmt } from "./mmt.js";
import { nbranch } from "./nbranch.js";
import { type ModelEntry, parseModelArgs } from "./options.js";
import { resnet } from "./resnet.js";
import { unet } from "./unet.js";
import { vgg16 } from "./vgg.js";

export const ZOO: Readonly<Record<string, ModelEntry>> = {
  gpt,
  bert,
  mmt,
  dlrm,
  "candle-uno": candleUno,
  nbranch,
  resnet50: resnet,
  vgg16,
  unet,
  inception,
};

export function lookupModel(name: string): Result<ModelEntry> {
  const key = Object.keys(ZOO).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key !== undefined) return ok(ZOO[key]!);
  const names = Object.keys(ZOO).join(", ");
  return fail([
    {
      code: "unknown-model",
      message: `no model named "${name}" in the zoo (models: ${names})`,
      expected: `one of ${names}`,
      got: name,
    },
  ]);
}

/** A zoo model from its name and command-line options; throws InputError on an unknown name or option. */
export function buildZooModel(name: string, args: readonly string[] = []): Graph {
  const entry = unwrap(lookupModel(name));
  return entry.build(unwrap(parseModelArgs(entry, args)));
}
