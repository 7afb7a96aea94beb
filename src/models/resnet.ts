/**
 * resnet50: torchvision's ResNet (v1.5: the stride sits on the 3×3 conv of a bottleneck). Depth 50 gives
 * exactly torchvision's 25,557,032 parameters and ≈ 4.1 G multiply-adds per 224×224 image; depths 18/34
 * (basic blocks) and 101/152 are the same family (11,689,512 / 21,797,672 / 44,549,160 / 60,192,808).
 * A residual block is conv path → add(shortcut) → relu; the first block of a stage downsamples its shortcut
 * with a 1×1 conv + batchnorm.
 */
import type { Dtype } from "../graph/types.js";
import { InputError } from "../util/issues.js";
import { bn, classifierHead, conv, convBnRelu, maxpool } from "./cnn-blocks.js";
import { int, num, str } from "./option-helpers.js";
import { DTYPE_OPTION, type ModelEntry, type OptionValues } from "./options.js";
import { path, SpecList } from "./spec-list.js";

const STAGES: Readonly<Record<number, { readonly blocks: readonly number[]; readonly bottleneck: boolean }>> = {
  18: { blocks: [2, 2, 2, 2], bottleneck: false },
  34: { blocks: [3, 4, 6, 3], bottleneck: false },
  50: { blocks: [3, 4, 6, 3], bottleneck: true },
  101: { blocks: [3, 4, 23, 3], bottleneck: true },
  152: { blocks: [3, 8, 36, 3], bottleneck: true },
};

export const resnet: ModelEntry = {
  name: "resnet50",
  description: "torchvision ResNet-50 (25,557,032 params); --depth 18/34/101/152 for the rest of the family",
  options: [
    int("depth", 50, "18, 34, 50, 101 or 152"),
    int("image", 224, "input height and width (pixels)", 32),
    int("classes", 1000, "output classes"),
    int("width", 64, "channels of the first stage"),
    DTYPE_OPTION,
  ],
  build(v: OptionValues) {
    const depth = num(v, "depth");
    const cfg = STAGES[depth];
    if (!cfg) {
      throw new InputError([
        {
          code: "bad-option",
          message: "unsupported ResNet depth",
          path: ["depth"],
          expected: "18, 34, 50, 101 or 152",
          got: String(depth),
        },
      ]);
    }
    const b = new SpecList();
    const w = num(v, "width");
    const img = num(v, "image");
    const x = b.op("image", "input", [], { dtype: "float" }, { outShape: [3, img, img] });
    let h = convBnRelu(b, "stem", x, { inC: 3, outC: w, k: 7, s: 2, p: 3 });
    h = maxpool(b, "stem.pool", h, 3, 2, 1);
    const expansion = cfg.bottleneck ? 4 : 1;
    let inC = w;
    cfg.blocks.forEach((count, stage) => {
      const planes = w * 2 ** stage;
      for (let i = 0; i < count; i++) {
        const s = stage > 0 && i === 0 ? 2 : 1;
        const p = `layer${stage + 1}.${i}`;
        const outC = planes * expansion;
        let y: string;
        if (cfg.bottleneck) {
          y = convBnRelu(b, path(p, "a"), h, { inC, outC: planes, k: 1 });
          y = convBnRelu(b, path(p, "b"), y, { inC: planes, outC: planes, k: 3, s, p: 1 });
          y = bn(b, path(p, "c.bn"), conv(b, path(p, "c.conv"), y, { inC: planes, outC, k: 1 }), outC);
        } else {
          y = convBnRelu(b, path(p, "a"), h, { inC, outC: planes, k: 3, s, p: 1 });
          y = bn(b, path(p, "b.bn"), conv(b, path(p, "b.conv"), y, { inC: planes, outC, k: 3, p: 1 }), outC);
        }
        const shortcut =
          s !== 1 || inC !== outC
            ? bn(b, path(p, "down.bn"), conv(b, path(p, "down.conv"), h, { inC, outC, k: 1, s }), outC)
            : h;
        const sum = b.op(path(p, "add"), "add", [y, shortcut]);
        h = b.op(path(p, "relu"), "relu", [sum]);
        inC = outC;
      }
    });
    classifierHead(b, h, inC, num(v, "classes"));
    return b.build(`resnet${depth}`, str<Dtype>(v, "dtype"), { model: "resnet50", ...v });
  },
};
