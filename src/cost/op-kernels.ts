/**
 * How an op runs on an accelerator, per kind: how many kernels it launches in each direction, how many of
 * them are matrix kernels (GEMM / convolution, on tensor cores), and how many bytes it moves through device
 * memory. The counts follow what the PyTorch runtime (runtime/dagpipe_runtime/ops_*.py) launches for each kind
 * in eager mode; docs/cost-model.md lists them. Pure functions of the op and the sample count.
 */
import type { Op, OpKind } from "../graph/types.js";

export interface KernelCounts {
  /** Matrix kernels in the forward (the op's FLOPs are split evenly over them to size a kernel). */
  readonly fwdGemm: number;
  /** All kernels in the forward (matrix + elementwise), each pays the launch gap. */
  readonly fwdKernels: number;
  readonly bwdGemm: number;
  readonly bwdKernels: number;
}

const NONE: KernelCounts = { fwdGemm: 0, fwdKernels: 0, bwdGemm: 0, bwdKernels: 0 };
const ELEMENTWISE: KernelCounts = { fwdGemm: 0, fwdKernels: 1, bwdGemm: 0, bwdKernels: 1 };

function flag(op: Op, name: string, fallback: boolean): boolean {
  const v = op.attrs[name];
  return typeof v === "boolean" ? v : fallback;
}

/** Kernel counts of one op (both directions). Views (reshape, slice …) and bookkeeping ops launch none. */
export function kernelCounts(op: Op): KernelCounts {
  const kind: OpKind = op.kind;
  switch (kind) {
    case "linear": {
      const bias = flag(op, "bias", true) ? 1 : 0;
      return { fwdGemm: 1, fwdKernels: 1, bwdGemm: 2, bwdKernels: 2 + bias };
    }
    case "matmul":
      return { fwdGemm: 1, fwdKernels: 1, bwdGemm: 2, bwdKernels: 2 };
    case "attention": {
      // Q, K, V projections, QKᵀ, A·V, O projection; plus scale, softmax, the context copy (and the mask).
      const causal = flag(op, "causal", false) ? 2 : 0;
      return { fwdGemm: 6, fwdKernels: 9 + causal, bwdGemm: 12, bwdKernels: 16 };
    }
    case "conv2d":
    case "conv-transpose2d": {
      const bias = flag(op, "bias", true) ? 1 : 0;
      return { fwdGemm: 1, fwdKernels: 1 + bias, bwdGemm: 2, bwdKernels: 2 + bias };
    }
    case "embedding": {
      const pos = typeof op.attrs["positions"] === "number" && op.attrs["positions"] > 0 ? 1 : 0;
      return { fwdGemm: 0, fwdKernels: 1 + pos, bwdGemm: 0, bwdKernels: 3 + pos };
    }
    case "embedding-bag":
      return { fwdGemm: 0, fwdKernels: 1, bwdGemm: 0, bwdKernels: 2 };
    case "layernorm":
    case "rmsnorm":
    case "batchnorm":
      return { fwdGemm: 0, fwdKernels: 1, bwdGemm: 0, bwdKernels: 2 };
    case "loss":
      return { fwdGemm: 0, fwdKernels: 2, bwdGemm: 0, bwdKernels: 2 };
    case "concat":
      // The gradient of a concatenation is a set of views of the incoming gradient.
      return { fwdGemm: 0, fwdKernels: 1, bwdGemm: 0, bwdKernels: 0 };
    case "maxpool2d":
    case "avgpool2d":
    case "global-avgpool":
    case "upsample":
    case "relu":
    case "gelu":
    case "silu":
    case "sigmoid":
    case "tanh":
    case "softmax":
    case "dropout":
    case "add":
    case "mul":
      return ELEMENTWISE;
    case "opaque":
      // An imported operator dagpipe has no kind for (ONNX Clip, Erf, …): when the importer computed its FLOPs
      // it is real work, costed as one elementwise kernel per direction that has FLOPs; otherwise it is free.
      return {
        fwdGemm: 0,
        fwdKernels: op.fwdFlopsPerSample > 0 ? 1 : 0,
        bwdGemm: 0,
        bwdKernels: op.bwdFlopsPerSample > 0 ? 1 : 0,
      };
    case "input":
    case "flatten":
    case "reshape":
    case "transpose":
    case "slice":
    case "identity":
      return NONE;
  }
}

/** Does the op move no data at all (views, bookkeeping, unknown imported operators)? */
export function isFree(op: Op): boolean {
  const k = kernelCounts(op);
  return k.fwdKernels === 0 && k.bwdKernels === 0;
}

/**
 * Bytes of this op's inputs per sample when the graph is not at hand: a linear's input is its output
 * scaled by in/out features; elementwise and most other ops read tensors the size of their output, one per
 * input. `createCostModel(device, { graph })` uses the producers' real sizes instead.
 */
export function estimateInputBytesPerSample(op: Op): number {
  if (op.kind === "linear") {
    const inF = op.attrs["inFeatures"];
    const outF = op.attrs["outFeatures"];
    if (typeof inF === "number" && typeof outF === "number" && outF > 0) return (op.outBytesPerSample * inF) / outF;
  }
  if (op.kind === "embedding" || op.kind === "embedding-bag" || op.kind === "input") return 0;
  return op.outBytesPerSample * Math.max(1, op.inputs.length);
}

export interface BytesMoved {
  readonly fwdBytes: number;
  readonly bwdBytes: number;
}

/**
 * Device-memory traffic of one forward and one backward over `samples` samples:
 * - forward reads the inputs and the weights and writes the output; tensors the op saves that are neither
 *   its input nor its output (attention's Q, K, V, probabilities) and its workspace are written and read
 *   once more inside it;
 * - backward reads the output gradient and the saved tensors, writes the input gradient, reads the weights
 *   and writes their gradient, and again passes its internal tensors;
 * - embeddings touch only the gathered rows in the forward; their backward writes a dense gradient of the
 *   whole table (PyTorch's default, sparse=False).
 */
export function bytesMoved(op: Op, samples: number, inputBytesPerSample: number): BytesMoved {
  if (isFree(op)) return { fwdBytes: 0, bwdBytes: 0 };
  const out = op.outBytesPerSample;
  const saved = op.savedBytesPerSample;
  const workspace = op.workspaceBytesPerSample ?? 0;
  const internal = Math.max(0, saved - inputBytesPerSample - out) + workspace;
  if (op.kind === "embedding" || op.kind === "embedding-bag") {
    return {
      fwdBytes: samples * (2 * out + inputBytesPerSample),
      bwdBytes: op.paramBytes + samples * (2 * out + saved),
    };
  }
  return {
    fwdBytes: samples * (inputBytesPerSample + out + 2 * internal) + op.paramBytes,
    bwdBytes: samples * (out + saved + inputBytesPerSample + 2 * internal) + 2 * op.paramBytes,
  };
}
