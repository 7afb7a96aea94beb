/**
 * inception: GoogLeNet (Inception v1) exactly as torchvision builds it without the auxiliary classifiers:
 * 6,624,904 parameters, ≈ 1.5 G multiply-adds per 224×224 image. Each Inception module has four parallel
 * branches (1×1; 1×1→3×3; 1×1→"5×5" — torchvision uses a 3×3 there, a known quirk kept for fidelity;
 * 3×3 max pool→1×1) concatenated on channels; every conv is torchvision's BasicConv2d (conv without bias,
 * batchnorm eps 0.001, relu). Pools use ceil mode.
 */
import type { Dtype } from "../graph/types.js";
import { classifierHead, convBnRelu, maxpool } from "./cnn-blocks.js";
import { int, num, str } from "./option-helpers.js";
import { DTYPE_OPTION, type ModelEntry, type OptionValues } from "./options.js";
import { path, SpecList } from "./spec-list.js";

/** in, 1×1, 3×3 reduce, 3×3, 5×5 reduce, 5×5, pool projection (GoogLeNet paper, Table 1). */
type ModuleCfg = readonly [number, number, number, number, number, number, number];

const MODULES: readonly (readonly [string, ModuleCfg] | "pool" | "pool2")[] = [
  ["3a", [192, 64, 96, 128, 16, 32, 32]],
  ["3b", [256, 128, 128, 192, 32, 96, 64]],
  "pool",
  ["4a", [480, 192, 96, 208, 16, 48, 64]],
  ["4b", [512, 160, 112, 224, 24, 64, 64]],
  ["4c", [512, 128, 128, 256, 24, 64, 64]],
  ["4d", [512, 112, 144, 288, 32, 64, 64]],
  ["4e", [528, 256, 160, 320, 32, 128, 128]],
  "pool2",
  ["5a", [832, 256, 160, 320, 32, 128, 128]],
  ["5b", [832, 384, 192, 384, 48, 128, 128]],
];

const EPS = 0.001;

export const inception: ModelEntry = {
  name: "inception",
  description: "GoogLeNet / Inception v1 as in torchvision (6,624,904 params): 4-branch modules",
  options: [
    int("image", 224, "input height and width (pixels)", 32),
    int("classes", 1000, "output classes"),
    DTYPE_OPTION,
  ],
  build(v: OptionValues) {
    const b = new SpecList();
    const img = num(v, "image");
    let h = b.op("image", "input", [], { dtype: "float" }, { outShape: [3, img, img] });
    h = convBnRelu(b, "conv1", h, { inC: 3, outC: 64, k: 7, s: 2, p: 3 }, EPS);
    h = maxpool(b, "pool1", h, 3, 2, 0, true);
    h = convBnRelu(b, "conv2", h, { inC: 64, outC: 64, k: 1 }, EPS);
    h = convBnRelu(b, "conv3", h, { inC: 64, outC: 192, k: 3, p: 1 }, EPS);
    h = maxpool(b, "pool2", h, 3, 2, 0, true);
    let channels = 192;
    let pools = 2;
    for (const m of MODULES) {
      if (m === "pool" || m === "pool2") {
        pools++;
        h = m === "pool" ? maxpool(b, `pool${pools}`, h, 3, 2, 0, true) : maxpool(b, `pool${pools}`, h, 2, 2, 0, true);
        continue;
      }
      const [name, [inC, c1, r3, c3, r5, c5, pp]] = m;
      const p = `inception${name}`;
      const b1 = convBnRelu(b, path(p, "b1"), h, { inC, outC: c1, k: 1 }, EPS);
      const b2 = convBnRelu(
        b,
        path(p, "b2b"),
        convBnRelu(b, path(p, "b2a"), h, { inC, outC: r3, k: 1 }, EPS),
        { inC: r3, outC: c3, k: 3, p: 1 },
        EPS,
      );
      const b3 = convBnRelu(
        b,
        path(p, "b3b"),
        convBnRelu(b, path(p, "b3a"), h, { inC, outC: r5, k: 1 }, EPS),
        { inC: r5, outC: c5, k: 3, p: 1 },
        EPS,
      );
      const pooled = maxpool(b, path(p, "b4pool"), h, 3, 1, 1, true);
      const b4 = convBnRelu(b, path(p, "b4"), pooled, { inC, outC: pp, k: 1 }, EPS);
      h = b.op(path(p, "concat"), "concat", [b1, b2, b3, b4], { axis: 0 });
      channels = c1 + c3 + c5 + pp;
    }
    classifierHead(b, h, channels, num(v, "classes"));
    return b.build("inception", str<Dtype>(v, "dtype"), { model: "inception", ...v });
  },
};
