/** The graph IR and its algorithms (re-exports only). */
export * from "./branches.js";
export * from "./critical-path.js";
export * from "./graph-index.js";
export * from "./sp-decompose.js";
export * from "./sp-tree.js";
export * from "./topo-order.js";
export * from "./types.js";
export * from "./validate.js";
