export { bert } from "./bert.js";
export { candleUno } from "./candle-uno.js";
export { dlrm } from "./dlrm.js";
export { gpt, swigluFfn } from "./gpt.js";
export { inception } from "./inception.js";
export { mmt } from "./mmt.js";
export { nbranch } from "./nbranch.js";
export {
  DTYPE_OPTION,
  defaultValues,
  flagOf,
  type ModelEntry,
  type OptionSpec,
  type OptionValue,
  type OptionValues,
  parseModelArgs,
} from "./options.js";
export { resnet } from "./resnet.js";
export {
  buildTransformer,
  checkTransformerOptions,
  type MlpKind,
  type NormKind,
  type NormPlacement,
  type TransformerHead,
  type TransformerOptions,
  transformerLayer,
} from "./transformer.js";
export { unet } from "./unet.js";
export { vgg16 } from "./vgg.js";
export { buildZooModel, lookupModel, ZOO } from "./zoo.js";
