/**
 * A Hugging Face `config.json` → the zoo's transformer builder (`buildTransformer`), so a model published
 * on the Hub plans without being exported. Families: GPT-2 (`gpt2`), Llama-style decoders (`llama`,
 * `mistral`, `qwen2`: RMSNorm, SwiGLU, grouped-query attention, rotary positions, untied head) and BERT-style
 * encoders (`bert`, `roberta`). Keys the mapping does not use are ignored (configs carry dozens); keys it
 * uses are type-checked, and every problem names the key with its line.
 *
 * The sequence length is not in a config: it is taken as the model's context (`max_position_embeddings`,
 * GPT-2's `n_positions`), capped at 8192 tokens with a warning for long-context models.
 */
import { z } from "zod";
import type { Dtype, Graph } from "../graph/types.js";
import { buildTransformer, checkTransformerOptions, type TransformerOptions } from "../models/transformer.js";
import { fail, InputError, type Issue, ok, type PathSegment, type Result } from "../util/issues.js";
import { locateIssues, parseJsonText } from "../util/json-text.js";
import { zodIssues } from "../util/zod-issues.js";

export interface HfConfigOptions {
  /** Tokens per sample; default the model's context, at most MAX_DEFAULT_SEQ. */
  readonly seq?: number;
  readonly dtype?: Dtype;
}

export const MAX_DEFAULT_SEQ = 8192;
/** More layers than any published model by far (the largest have ~200); beyond this a config is hostile. */
export const MAX_LAYERS = 10_000;

const posInt = z.number().int().positive();
const eps = z.number().nonnegative();

const configSchema = z.looseObject({
  model_type: z.string(),
  architectures: z.array(z.string()).optional(),
  torch_dtype: z.string().nullable().optional(),
  vocab_size: posInt.optional(),
  tie_word_embeddings: z.boolean().optional(),
  // GPT-2
  n_layer: posInt.optional(),
  n_embd: posInt.optional(),
  n_head: posInt.optional(),
  n_inner: posInt.nullable().optional(),
  n_positions: posInt.optional(),
  n_ctx: posInt.optional(),
  layer_norm_epsilon: eps.optional(),
  activation_function: z.string().optional(),
  // Llama / BERT naming
  hidden_size: posInt.optional(),
  num_hidden_layers: posInt.optional(),
  num_attention_heads: posInt.optional(),
  num_key_value_heads: posInt.nullable().optional(),
  intermediate_size: posInt.optional(),
  max_position_embeddings: posInt.optional(),
  head_dim: posInt.nullable().optional(),
  rms_norm_eps: eps.optional(),
  layer_norm_eps: eps.optional(),
  attention_bias: z.boolean().optional(),
  mlp_bias: z.boolean().optional(),
  hidden_act: z.string().optional(),
  type_vocab_size: z.number().int().nonnegative().optional(),
  num_labels: posInt.optional(),
  id2label: z.record(z.string(), z.string()).optional(),
});

type Config = z.infer<typeof configSchema>;

/** A family's transformer options, with the config key each option came from (for issue paths). */
interface Mapped {
  readonly options: TransformerOptions;
  readonly keyOf: Readonly<Record<string, string>>;
  readonly warnings: readonly Omit<Issue, "file">[];
}

const FAMILIES = ["gpt2", "llama", "mistral", "qwen2", "bert", "roberta"] as const;
type Family = (typeof FAMILIES)[number];

function dtypeOf(c: Config): Dtype {
  if (c.torch_dtype === "bfloat16") return "bf16";
  if (c.torch_dtype === "float32") return "fp32";
  return "fp16";
}

/** Required keys present, or missing-field issues naming them. */
function need(c: Config, keys: readonly (keyof Config)[]): Issue[] {
  return keys
    .filter((k) => c[k] === undefined || c[k] === null)
    .map((k) => ({
      code: "missing-field",
      message: `${String(k)} is missing (needed for a ${c.model_type} model)`,
      path: [String(k)],
      expected: "a positive integer",
    }));
}

function seqOf(context: number, options: HfConfigOptions, key: string, warnings: Omit<Issue, "file">[]): number {
  if (options.seq !== undefined) return options.seq;
  if (context <= MAX_DEFAULT_SEQ) return context;
  warnings.push({
    code: "unsupported",
    message: `the model's context of ${context} tokens is long for training; planning with ${MAX_DEFAULT_SEQ} tokens per sample`,
    path: [key],
    expected: `≤ ${MAX_DEFAULT_SEQ} tokens`,
    got: String(context),
  });
  return MAX_DEFAULT_SEQ;
}

function gpt2(c: Config, options: HfConfigOptions): Mapped | Issue[] {
  const missing = need(c, ["n_layer", "n_embd", "n_head", "vocab_size"]);
  if (missing.length > 0) return missing;
  const hidden = c.n_embd as number;
  const positions = c.n_positions ?? c.n_ctx ?? 1024;
  const warnings: Omit<Issue, "file">[] = [];
  return {
    options: {
      layers: c.n_layer as number,
      hidden,
      heads: c.n_head as number,
      seq: seqOf(positions, options, "n_positions", warnings),
      maxPositions: positions,
      vocab: c.vocab_size as number,
      ffn: c.n_inner ?? 4 * hidden,
      mlp: "gelu",
      norm: "layernorm",
      normEps: c.layer_norm_epsilon ?? 1e-5,
      positions: "learned",
      tiedEmbeddings: c.tie_word_embeddings ?? true,
      bias: true,
      causal: true,
      head: "lm",
    },
    keyOf: {
      layers: "n_layer",
      hidden: "n_embd",
      heads: "n_head",
      vocab: "vocab_size",
      ffn: "n_inner",
      seq: "n_positions",
    },
    warnings,
  };
}

/** Llama and BERT name their sizes alike: the keys both need, and the key each builder option comes from. */
const LLAMA_BERT_REQUIRED = [
  "hidden_size",
  "num_hidden_layers",
  "num_attention_heads",
  "intermediate_size",
  "vocab_size",
] as const satisfies readonly (keyof Config)[];
const LLAMA_BERT_KEY_OF: Readonly<Record<string, string>> = {
  layers: "num_hidden_layers",
  hidden: "hidden_size",
  heads: "num_attention_heads",
  vocab: "vocab_size",
  ffn: "intermediate_size",
  seq: "max_position_embeddings",
};

function llamaLike(c: Config, options: HfConfigOptions, family: Family): Mapped | Issue[] {
  const missing = need(c, LLAMA_BERT_REQUIRED);
  if (missing.length > 0) return missing;
  const warnings: Omit<Issue, "file">[] = [];
  const act = c.hidden_act ?? "silu";
  if (act !== "silu") {
    warnings.push({
      code: "unsupported",
      message: `hidden_act ${JSON.stringify(act)} is modelled as SwiGLU's silu (same cost)`,
      path: ["hidden_act"],
      expected: "silu",
      got: act,
    });
  }
  // Qwen2 has biases on the q, k and v projections only; the builder's `bias` would add them everywhere.
  if (family === "qwen2") {
    warnings.push({
      code: "unsupported",
      message: "the q/k/v projection biases of qwen2 are not modelled (a few thousand parameters per layer)",
      path: ["model_type"],
    });
  }
  const context = c.max_position_embeddings ?? 4096;
  const heads = c.num_attention_heads as number;
  return {
    options: {
      layers: c.num_hidden_layers as number,
      hidden: c.hidden_size as number,
      heads,
      kvHeads: c.num_key_value_heads ?? heads,
      ...(c.head_dim ? { headDim: c.head_dim } : {}),
      seq: seqOf(context, options, "max_position_embeddings", warnings),
      vocab: c.vocab_size as number,
      ffn: c.intermediate_size as number,
      mlp: "swiglu",
      norm: "rmsnorm",
      normEps: c.rms_norm_eps ?? 1e-6,
      positions: "none",
      tiedEmbeddings: c.tie_word_embeddings ?? false,
      bias: c.attention_bias ?? c.mlp_bias ?? false,
      causal: true,
      head: "lm",
    },
    keyOf: { ...LLAMA_BERT_KEY_OF, kvHeads: "num_key_value_heads" },
    warnings,
  };
}

function bertLike(c: Config, options: HfConfigOptions, family: Family): Mapped | Issue[] {
  const missing = need(c, LLAMA_BERT_REQUIRED);
  if (missing.length > 0) return missing;
  const positions = c.max_position_embeddings ?? 512;
  // RoBERTa offsets positions past the padding index: two rows of its table are never a token position.
  const context = family === "roberta" ? Math.max(1, positions - 2) : positions;
  const masked = (c.architectures ?? []).some((a) => /MaskedLM|ForPreTraining/.test(a));
  const classes = c.num_labels ?? (c.id2label ? Object.keys(c.id2label).length : 2);
  const warnings: Omit<Issue, "file">[] = [];
  return {
    options: {
      layers: c.num_hidden_layers as number,
      hidden: c.hidden_size as number,
      heads: c.num_attention_heads as number,
      seq: seqOf(context, options, "max_position_embeddings", warnings),
      maxPositions: positions,
      vocab: c.vocab_size as number,
      ffn: c.intermediate_size as number,
      mlp: "gelu",
      norm: "layernorm",
      normPlacement: "post",
      normEps: c.layer_norm_eps ?? 1e-12,
      positions: "learned",
      tiedEmbeddings: c.tie_word_embeddings ?? true,
      bias: true,
      causal: false,
      tokenTypes: c.type_vocab_size ?? 2,
      embeddingNorm: true,
      head: masked ? "mlm" : "cls",
      classes: Math.max(1, classes),
    },
    keyOf: LLAMA_BERT_KEY_OF,
    warnings,
  };
}

function mapConfig(c: Config, options: HfConfigOptions): Mapped | Issue[] {
  const family = c.model_type as Family;
  switch (family) {
    case "gpt2":
      return gpt2(c, options);
    case "llama":
    case "mistral":
    case "qwen2":
      return llamaLike(c, options, family);
    case "bert":
    case "roberta":
      return bertLike(c, options, family);
    default:
      return [
        {
          code: "unsupported",
          message: `model_type ${JSON.stringify(c.model_type)} is not a family dagpipe maps`,
          path: ["model_type"],
          expected: `one of ${FAMILIES.join(", ")}`,
          got: c.model_type,
        },
      ];
  }
}

/** True for text that starts a JSON object naming a Hugging Face model type and its width or depth. */
export function looksLikeHfConfig(headText: string): boolean {
  return (
    /^\s*\{/.test(headText.replace(/^\uFEFF/, "")) &&
    /"model_type"\s*:/.test(headText) &&
    /"(hidden_size|n_embd|num_hidden_layers|n_layer)"\s*:/.test(headText)
  );
}

export function readHfConfig(text: string, file: string, options: HfConfigOptions = {}): Result<Graph> {
  const parsed = parseJsonText(text, file);
  if (!parsed.ok) return parsed;
  const data = parsed.value;
  const checked = configSchema.safeParse(data);
  if (!checked.success) return fail(locateIssues(text, zodIssues(checked.error, data), file));
  const c = checked.data;
  const mapped = mapConfig(c, options);
  if (Array.isArray(mapped)) return fail(locateIssues(text, mapped, file));
  const name = (c.architectures?.[0] ?? c.model_type).replace(/[^\w.-]/g, "") || "hf-model";
  const o: TransformerOptions = {
    ...mapped.options,
    name,
    dtype: options.dtype ?? dtypeOf(c),
    source: { format: "hf-config", file, model_type: c.model_type },
  };
  const toKey = (path: readonly PathSegment[] | undefined): PathSegment[] => {
    const first = path?.[0];
    return typeof first === "string" ? [mapped.keyOf[first] ?? first] : [];
  };
  if (o.layers > MAX_LAYERS) {
    const key = mapped.keyOf["layers"] ?? "layers";
    const tooDeep: Issue = {
      code: "bad-number",
      message: `${key} ${o.layers} is more layers than any model has`,
      path: [key],
      expected: `≤ ${MAX_LAYERS}`,
      got: String(o.layers),
    };
    return fail(locateIssues(text, [tooDeep], file));
  }
  const inconsistent = checkTransformerOptions(o);
  if (inconsistent.length > 0) {
    const keyed = inconsistent.map((i): Issue => ({ ...i, code: "invalid-value", path: toKey(i.path) }));
    return fail(locateIssues(text, keyed, file));
  }
  try {
    return ok(buildTransformer(o), locateIssues(text, mapped.warnings, file));
  } catch (e) {
    if (e instanceof InputError)
      return fail(
        locateIssues(
          text,
          e.issues.map((i) => ({ ...i, path: toKey(i.path) })),
          file,
        ),
      );
    throw e;
  }
}
