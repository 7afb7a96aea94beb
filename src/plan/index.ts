export * from "./build-plan.js";
export * from "./plan-json.js";
export * from "./sample-split.js";
export * from "./stage-graph.js";
export * from "./types.js";
export * from "./validate-plan.js";
