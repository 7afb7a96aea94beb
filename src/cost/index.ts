export * from "./create-cost-model.js";
export * from "./op-kernels.js";
export * from "./optimizers.js";
export * from "./profiled.js";
export * from "./roofline.js";
export * from "./stage-cost.js";
export * from "./stage-memory.js";
export * from "./types.js";
