/** A chain of linear(+relu) layers, the building block of DLRM's and CANDLE-Uno's branches and top MLPs. */
import { path, type SpecList } from "./spec-list.js";

/** `widths.length` linears from `inFeatures`, each followed by relu unless `lastAct` says otherwise. */
export function mlpChain(
  b: SpecList,
  prefix: string,
  x: string,
  inFeatures: number,
  widths: readonly number[],
  bias: boolean,
  lastAct: "relu" | "sigmoid" | "none" = "relu",
): string {
  let h = x;
  let inF = inFeatures;
  widths.forEach((w, i) => {
    h = b.op(path(prefix, `fc${i}`), "linear", [h], { inFeatures: inF, outFeatures: w, bias });
    const act = i === widths.length - 1 ? lastAct : "relu";
    if (act !== "none") h = b.op(path(prefix, `${act}${i}`), act, [h]);
    inF = w;
  });
  return h;
}
