export { buildGraph } from "./build-graph.js";
export { type DerivedOp, deriveOp, deriveOpWithElemBytes } from "./derive-op.js";
export { KINDS } from "./registry.js";
export { broadcastShapes, formatShape, numel } from "./shape-util.js";
export type { DeriveContext, Derived, KindDef, OpSpec } from "./spec.js";
