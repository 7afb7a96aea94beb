/**
 * vgg16: torchvision's VGG-16 (configuration "D", no batchnorm): 13 conv3×3+relu in 5 stages with max
 * pools, then 25088→4096→4096→classes with relu (dropout p = 0 is omitted). 138,357,544 parameters at 224².
 * torchvision pools adaptively to 7×7 before the classifier; here the classifier takes whatever the last
 * pool gives (7×7 exactly at 224², so counts match there).
 */
import type { Dtype } from "../graph/types.js";
import { conv, maxpool } from "./cnn-blocks.js";
import { int, num, str } from "./option-helpers.js";
import { DTYPE_OPTION, type ModelEntry, type OptionValues } from "./options.js";
import { SpecList } from "./spec-list.js";

const CFG_D: readonly (number | "M")[] = [
  64,
  64,
  "M",
  128,
  128,
  "M",
  256,
  256,
  256,
  "M",
  512,
  512,
  512,
  "M",
  512,
  512,
  512,
  "M",
];

export const vgg16: ModelEntry = {
  name: "vgg16",
  description: "torchvision VGG-16 (138,357,544 params)",
  options: [
    int("image", 224, "input height and width (pixels)", 32),
    int("classes", 1000, "output classes"),
    DTYPE_OPTION,
  ],
  build(v: OptionValues) {
    const b = new SpecList();
    const img = num(v, "image");
    let h = b.op("image", "input", [], { dtype: "float" }, { outShape: [3, img, img] });
    let inC = 3;
    let size = img;
    let convs = 0;
    let pools = 0;
    for (const c of CFG_D) {
      if (c === "M") {
        h = maxpool(b, `pool${++pools}`, h, 2, 2);
        size = Math.floor(size / 2);
      } else {
        const id = `conv${++convs}`;
        h = b.op(`${id}.relu`, "relu", [conv(b, id, h, { inC, outC: c, k: 3, p: 1, bias: true })]);
        inC = c;
      }
    }
    h = b.op("flatten", "flatten", [h]);
    const widths = [4096, 4096];
    let inF = inC * size * size;
    widths.forEach((w, i) => {
      h = b.op(`fc${i + 1}.relu`, "relu", [
        b.op(`fc${i + 1}`, "linear", [h], { inFeatures: inF, outFeatures: w, bias: true }),
      ]);
      inF = w;
    });
    const fc = b.op("fc3", "linear", [h], { inFeatures: inF, outFeatures: num(v, "classes"), bias: true });
    b.op("loss", "loss", [fc], { fn: "cross-entropy", classes: num(v, "classes") });
    return b.build("vgg16", str<Dtype>(v, "dtype"), { model: "vgg16", ...v });
  },
};
