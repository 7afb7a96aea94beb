export { loweredScheduleOf, simulate, simulatePlan } from "./simulate.js";
export * from "./types.js";
