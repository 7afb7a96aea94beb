/** The registry of operators the importer understands (default ONNX domain), by op_type. */
import type { OpRule } from "./context.js";
import { CONV_POOL_RULES } from "./conv-pool.js";
import { DENSE_RULES } from "./dense.js";
import { ELEMENTWISE_RULES } from "./elementwise.js";
import { LAYOUT_RULES } from "./layout.js";
import { SHAPE_RULES } from "./shape-ops.js";

export const OP_RULES: Readonly<Record<string, OpRule>> = {
  ...ELEMENTWISE_RULES,
  ...CONV_POOL_RULES,
  ...DENSE_RULES,
  ...LAYOUT_RULES,
  ...SHAPE_RULES,
};

export function ruleFor(domain: string, opType: string): OpRule | undefined {
  if (domain !== "" && domain !== "ai.onnx") return undefined;
  return Object.hasOwn(OP_RULES, opType) ? OP_RULES[opType] : undefined;
}

export { InferCtx, type OpRule, type RuleOut, type TensorInfo, UnknownShape } from "./context.js";
export { SHAPE_ONLY_OPS } from "./shape-ops.js";
