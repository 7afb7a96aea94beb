/**
 * The graph IR every other part reads: a serializable record of operators with string ids.
 * Shapes, bytes and FLOPs are per sample; a micro-batch of b samples scales them (unless a measured
 * profile says otherwise). Units are in the names: bytes, FLOPs, seconds.
 */

/** Element type of activations and weights as the framework stores them during training. */
export type Dtype = "fp32" | "fp16" | "bf16";

export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = { fp32: 4, fp16: 2, bf16: 2 };

/**
 * Operator kinds. Each kind has an attribute record (`OpAttrs` below) from which its costs can be derived
 * (`src/graph/op-kinds/`) and from which the runtime builds the torch module (`runtime/`).
 */
export type OpKind =
  | "input"
  | "embedding"
  | "embedding-bag"
  | "linear"
  | "matmul"
  | "attention"
  | "layernorm"
  | "rmsnorm"
  | "batchnorm"
  | "conv2d"
  | "conv-transpose2d"
  | "maxpool2d"
  | "avgpool2d"
  | "global-avgpool"
  | "upsample"
  | "relu"
  | "gelu"
  | "silu"
  | "sigmoid"
  | "tanh"
  | "softmax"
  | "dropout"
  | "add"
  | "mul"
  | "concat"
  | "flatten"
  | "reshape"
  | "transpose"
  | "slice"
  | "identity"
  | "loss"
  | "opaque";

export const OP_KINDS: readonly OpKind[] = [
  "input",
  "embedding",
  "embedding-bag",
  "linear",
  "matmul",
  "attention",
  "layernorm",
  "rmsnorm",
  "batchnorm",
  "conv2d",
  "conv-transpose2d",
  "maxpool2d",
  "avgpool2d",
  "global-avgpool",
  "upsample",
  "relu",
  "gelu",
  "silu",
  "sigmoid",
  "tanh",
  "softmax",
  "dropout",
  "add",
  "mul",
  "concat",
  "flatten",
  "reshape",
  "transpose",
  "slice",
  "identity",
  "loss",
  "opaque",
];

/** Attribute values are plain JSON: numbers, strings, booleans and number lists. */
export type AttrValue = number | string | boolean | readonly number[];
export type OpAttrs = Readonly<Record<string, AttrValue>>;

/** One measured point: time of one forward / one backward of a micro-batch of `microBatch` samples. */
export interface ProfilePoint {
  readonly microBatch: number;
  readonly fwdSec: number;
  readonly bwdSec: number;
}

/** Measured times of an op on a device, by micro-batch size (sorted by microBatch, sizes distinct). */
export interface OpProfile {
  /** Device the profile was measured on (free text, e.g. "V100-16GB", "cpu"). */
  readonly device?: string;
  readonly points: readonly ProfilePoint[];
}

export interface Op {
  readonly id: string;
  /** Human-readable name (layer path); defaults to the id. */
  readonly name?: string;
  readonly kind: OpKind;
  /** Ids of the ops whose outputs this op consumes, in argument order. */
  readonly inputs: readonly string[];
  /** Framework attributes of the kind (linear: inFeatures/outFeatures/bias; conv2d: kernel/stride/padding; …). */
  readonly attrs: OpAttrs;
  /** Output shape of one sample (no batch dimension). */
  readonly outShape: readonly number[];
  readonly outBytesPerSample: number;
  /** Number of trainable parameters (exact counts are tested against published models). */
  readonly params: number;
  /** Bytes the parameters take in the graph's dtype. */
  readonly paramBytes: number;
  readonly fwdFlopsPerSample: number;
  readonly bwdFlopsPerSample: number;
  /** Bytes kept from forward until backward for one sample (inputs or outputs the gradient needs). */
  readonly savedBytesPerSample: number;
  /** Scratch memory while the op runs, per sample (e.g. attention scores before they are saved). */
  readonly workspaceBytesPerSample?: number;
  readonly profile?: OpProfile;
}

export interface Graph {
  readonly name: string;
  readonly dtype: Dtype;
  readonly ops: readonly Op[];
  /** Where the graph came from (zoo name and options, or a file), for reports; not used by algorithms. */
  readonly source?: Readonly<Record<string, AttrValue>>;
}
