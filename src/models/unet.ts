/**
 * unet: the classic U-Net (Ronneberger et al. 2015): per level two conv3×3+relu, 2×2 max pool down,
 * 2×2 stride-2 transposed conv up, concat with the skip, two conv3×3+relu, and a final 1×1 conv to the
 * classes; per-pixel cross-entropy (logits moved to the last axis). Convs are padded (padding 1) so skips
 * concatenate without cropping, as most PyTorch ports do; the parameter count does not depend on it.
 * Defaults depth 4, width 64, 1 input channel, 2 classes (31,030,658 params; checked against an equivalent torch module).
 */
import type { Dtype } from "../graph/types.js";
import { InputError } from "../util/issues.js";
import { conv } from "./cnn-blocks.js";
import { int, num, str } from "./option-helpers.js";
import { DTYPE_OPTION, type ModelEntry, type OptionValues } from "./options.js";
import { path, SpecList } from "./spec-list.js";

export const unet: ModelEntry = {
  name: "unet",
  description: "classic U-Net: conv encoder, transposed-conv decoder, skip concats at every level",
  options: [
    int("depth", 4, "down-sampling steps"),
    int("width", 64, "channels of the first level (doubling per level)"),
    int("image", 256, "input height and width (pixels; divisible by 2^depth)"),
    int("inChannels", 1, "input channels"),
    int("classes", 2, "output classes per pixel"),
    DTYPE_OPTION,
  ],
  build(v: OptionValues) {
    const depth = num(v, "depth");
    const img = num(v, "image");
    if (img % 2 ** depth !== 0) {
      throw new InputError([
        {
          code: "bad-option",
          message: `unet image must be divisible by 2^depth = ${2 ** depth}`,
          path: ["image"],
          expected: `a multiple of ${2 ** depth}`,
          got: String(img),
        },
      ]);
    }
    const b = new SpecList();
    const w = num(v, "width");
    const double = (p: string, x: string, inC: number, outC: number) => {
      const a = b.op(path(p, "relu1"), "relu", [conv(b, path(p, "conv1"), x, { inC, outC, k: 3, p: 1, bias: true })]);
      return b.op(path(p, "relu2"), "relu", [
        conv(b, path(p, "conv2"), a, { inC: outC, outC, k: 3, p: 1, bias: true }),
      ]);
    };
    let h = b.op("image", "input", [], { dtype: "float" }, { outShape: [num(v, "inChannels"), img, img] });
    const skips: string[] = [];
    let inC = num(v, "inChannels");
    for (let l = 0; l < depth; l++) {
      h = double(`down${l}`, h, inC, w * 2 ** l);
      skips.push(h);
      h = b.op(path(`down${l}`, "pool"), "maxpool2d", [h], {
        kernel: [2, 2],
        stride: [2, 2],
        padding: [0, 0],
        ceilMode: false,
      });
      inC = w * 2 ** l;
    }
    h = double("bottom", h, inC, w * 2 ** depth);
    for (let l = depth - 1; l >= 0; l--) {
      const c = w * 2 ** l;
      const up = b.op(path(`up${l}`, "upconv"), "conv-transpose2d", [h], {
        inChannels: 2 * c,
        outChannels: c,
        kernel: [2, 2],
        stride: [2, 2],
        padding: [0, 0],
        dilation: [1, 1],
        groups: 1,
        bias: true,
        outputPadding: [0, 0],
      });
      const cat = b.op(path(`up${l}`, "concat"), "concat", [skips[l]!, up], { axis: 0 });
      h = double(`up${l}`, cat, 2 * c, c);
    }
    const logits = conv(b, "out", h, { inC: w, outC: num(v, "classes"), k: 1, bias: true });
    const pixels = b.op("out.pixels_last", "transpose", [logits], { perm: [1, 2, 0] });
    b.op("loss", "loss", [pixels], { fn: "cross-entropy", classes: num(v, "classes") });
    return b.build("unet", str<Dtype>(v, "dtype"), { model: "unet", ...v });
  },
};
