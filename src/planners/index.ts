/** Planners: searches that return plans (re-exports only). */
export * from "./exhaustive.js";
export * from "./graph-planner.js";
export * from "./judge.js";
export * from "./pipedream.js";
export * from "./pipedream-dp.js";
export * from "./relay.js";
export * from "./run-planner.js";
export * from "./sequential.js";
export * from "./types.js";
export * from "./uniform.js";
