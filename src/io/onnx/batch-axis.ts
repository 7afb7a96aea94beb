/**
 * Where the batch dimension goes through an operator. Exported graphs carry the batch (axis 0 of every
 * graph input); dagpipe's shapes are per sample, so each activation's batch axis is followed through the
 * graph and removed at the end. Operators that move axes (Transpose, Unsqueeze, Squeeze, reductions,
 * Gather, Reshape) move it; where the batch is merged into another axis (Reshape [B, T, C] → [B·T, C]) or
 * reduced away it becomes undefined and the per-sample shape is approximated by the caller.
 */
import { type InferCtx, numel, type TensorInfo } from "./infer/context.js";
import { transposePerm } from "./infer/layout.js";

function firstBatched(inputs: readonly (TensorInfo | undefined)[]): { index: number; axis: number } | undefined {
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    if (t && !t.isConst && t.batchAxis !== undefined && t.shape) return { index: i, axis: t.batchAxis };
  }
  return undefined;
}

/** Axes given by attribute or by a (constant) input, normalized to `rank`; undefined when unknown. */
function axesOf(ctx: InferCtx, inputIndex: number, rank: number): number[] | undefined {
  const raw = ctx.has(inputIndex) ? ctx.values(inputIndex) : ctx.attrs.ints("axes");
  return raw?.map((a) => (a < 0 ? a + rank : a));
}

function checked(k: number | undefined, out: readonly number[], batch: number): number | undefined {
  return k !== undefined && k >= 0 && k < out.length && out[k] === batch ? k : undefined;
}

export function outputBatchAxis(ctx: InferCtx, out: readonly number[], batch: number): number | undefined {
  const found = firstBatched(ctx.inputs);
  if (!found) return undefined;
  const { index, axis: a } = found;
  const inShape = ctx.inputs[index]?.shape ?? [];
  const inRank = inShape.length;
  const op = ctx.opType;
  try {
    switch (op) {
      case "Transpose":
        return checked(transposePerm(ctx, inRank).indexOf(a), out, batch);
      case "Unsqueeze": {
        const axes = axesOf(ctx, 1, out.length);
        if (!axes) return undefined;
        let j = 0;
        for (let k = 0; k < out.length; k++) {
          if (axes.includes(k)) continue;
          if (j === a) return checked(k, out, batch);
          j++;
        }
        return undefined;
      }
      case "Squeeze": {
        const axes = axesOf(ctx, 1, inRank) ?? inShape.flatMap((d, i) => (d === 1 ? [i] : []));
        if (axes.includes(a)) return undefined;
        return checked(a - axes.filter((x) => x < a).length, out, batch);
      }
      case "Gather": {
        const g = ctx.attrs.int("axis", 0);
        const gAxis = g < 0 ? g + (ctx.inputs[0]?.shape?.length ?? 0) : g;
        if (index === 1) return checked(gAxis + a, out, batch);
        if (a === gAxis) return undefined;
        const idxRank = ctx.inputs[1]?.shape?.length ?? 0;
        return checked(a < gAxis ? a : a + idxRank - 1, out, batch);
      }
      case "Concat": {
        const c = ctx.attrs.int("axis", 0);
        return (c < 0 ? c + inRank : c) === a ? undefined : checked(a, out, batch);
      }
      case "Reshape":
      case "Flatten": {
        // The batch axis survives when the elements before it and its own size are both kept.
        const before = numel(inShape.slice(0, a));
        let acc = 1;
        for (let k = 0; k < out.length; k++) {
          if (acc === before && out[k] === inShape[a]) return checked(k, out, batch);
          acc *= out[k] as number;
          if (acc > before) return undefined;
        }
        return undefined;
      }
      case "Split":
      case "Slice":
        return checked(a, out, batch);
      default:
        break;
    }
    if (op.startsWith("Reduce") || op === "ArgMax" || op === "ArgMin") {
      const single = ctx.attrs.int("axis");
      const axes = single !== undefined ? [single < 0 ? single + inRank : single] : axesOf(ctx, 1, inRank);
      const all = !axes || axes.length === 0;
      if (all || axes.includes(a)) return undefined;
      const keep = ctx.attrs.int("keepdims", 1) === 1;
      return checked(keep ? a : a - axes.filter((x) => x < a).length, out, batch);
    }
  } catch {
    // Attributes that do not parse were reported by the operator's own rule; here they just lose the batch.
    return undefined;
  }
  // Element-wise, convolution, matmul and the rest: the batch axis keeps its place counted from the right.
  return checked(a + out.length - inRank, out, batch);
}

/**
 * The axis dropped to get a tensor's per-sample shape: its batch axis when followed through the graph;
 * with a batch of 1 and the batch lost (merged and split again, as multi-head attention does), a leading
 * 1, because exported layouts put the batch first. Size-1 axes never change costs, so this only decides
 * how shapes read.
 */
export function droppedAxis(
  shape: readonly number[],
  batchAxis: number | undefined,
  batch: number,
): number | undefined {
  if (batchAxis !== undefined) return batchAxis;
  return batch === 1 && shape.length >= 2 && shape[0] === 1 ? 0 : undefined;
}

/**
 * The per-sample shape of a full shape: the dropped axis removed, or, when a batch above 1 was merged
 * into another axis, that axis divided by the batch (the first axis it divides). Exact for every batch
 * axis followed through the graph; an approximation otherwise, used only by ops that are costed from
 * the importer's own whole-batch numbers.
 */
export function perSampleShape(full: readonly number[], batchAxis: number | undefined, batch: number): number[] {
  const drop = droppedAxis(full, batchAxis, batch);
  if (drop !== undefined) return full.filter((_, i) => i !== drop);
  if (batch === 1) return [...full];
  const k = full.findIndex((d) => d % batch === 0 && d >= batch);
  return k < 0 ? [...full] : full.map((d, i) => (i === k ? d / batch : d));
}

/** A full axis → the per-sample axis; undefined when it is the dropped (batch) axis itself. */
export function sampleAxis(
  axis: number,
  shape: readonly number[],
  batchAxis: number | undefined,
  batch: number,
): number | undefined {
  const a = axis < 0 ? axis + shape.length : axis;
  const drop = droppedAxis(shape, batchAxis, batch);
  if (drop === undefined) return a;
  if (a === drop) return undefined;
  return a > drop ? a - 1 : a;
}
