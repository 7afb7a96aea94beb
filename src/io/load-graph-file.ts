/**
 * A graph file → Graph, with the reader picked by CONTENT (not by extension): each reader says from the
 * file's first bytes whether the file is its format, and the first that claims it reads it. Adding a format
 * is one entry in GRAPH_READERS (more specific sniffs first: a generic JSON sniff would claim other JSON).
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Graph } from "../graph/types.js";
import { validateGraph } from "../graph/validate.js";
import { fail, type Issue, type Result } from "../util/issues.js";
import { looksLikeFlexflowProfile, readFlexflowProfile } from "./flexflow-profile.js";
import { readGraphJson } from "./graph-json.js";
import { looksLikeHfConfig, readHfConfig } from "./hf-config.js";
import { readOnnx } from "./onnx/read-onnx.js";
import { looksLikeOnnx } from "./onnx/sniff.js";
import { looksLikePipeDreamGraph, readPipeDreamGraph } from "./pipedream-graph.js";

export interface GraphReader {
  /** For people: "dagpipe JSON graph". */
  readonly name: string;
  /** True when the file is this reader's format, judged from its first bytes (up to SNIFF_BYTES) and their text. */
  sniff(head: Uint8Array, headText: string): boolean;
  read(bytes: Uint8Array, file: string): Result<Graph>;
}

/** How much of a file the sniffers see. */
export const SNIFF_BYTES = 64 * 1024;
/** Text formats beyond this cannot become one JavaScript string (V8's limit is ~512 M characters). */
const MAX_TEXT_BYTES = 500 * 1024 * 1024;

/** A reader of a text format: decodes UTF-8 (refusing files too large to be a string) and calls `read`. */
export function textReader(
  name: string,
  sniff: (headText: string) => boolean,
  read: (text: string, file: string) => Result<Graph>,
): GraphReader {
  return {
    name,
    sniff: (_head, headText) => sniff(headText),
    read(bytes, file) {
      if (bytes.length > MAX_TEXT_BYTES) {
        return fail([
          {
            code: "unsupported",
            message: `${name} file is too large to read (${bytes.length} bytes)`,
            file,
            expected: `≤ ${MAX_TEXT_BYTES} bytes`,
          },
        ]);
      }
      return read(new TextDecoder("utf-8").decode(bytes), file);
    },
  };
}

export const dagpipeJsonReader = textReader(
  "dagpipe JSON graph",
  (t) =>
    /^\s*\{/.test(t.replace(/^\uFEFF/, "")) && (/"format"\s*:\s*"dagpipe-graph"/.test(t) || /"ops"\s*:\s*\[/.test(t)),
  readGraphJson,
);

export const onnxReader: GraphReader = { name: "ONNX model", sniff: looksLikeOnnx, read: (b, f) => readOnnx(b, f) };
export const flexflowProfileReader = textReader("FlexFlow profile.json", looksLikeFlexflowProfile, readFlexflowProfile);
export const hfConfigReader = textReader("Hugging Face config.json", looksLikeHfConfig, readHfConfig);
export const pipedreamGraphReader = textReader("PipeDream graph.txt", looksLikePipeDreamGraph, (text, file) =>
  readPipeDreamGraph(text, file),
);

/** Every format dagpipe reads graphs from, most specific sniff first. */
export const GRAPH_READERS: readonly GraphReader[] = [
  onnxReader,
  flexflowProfileReader,
  hfConfigReader,
  pipedreamGraphReader,
  dagpipeJsonReader,
];

/** What a user may tell the readers that a file does not say. */
export interface GraphFileOptions {
  /** Samples per minibatch a profile was measured at (PipeDream's graph.txt does not record it). */
  readonly profileBatch?: number;
}

/** GRAPH_READERS with the user's options applied. */
export function graphReaders(options: GraphFileOptions = {}): readonly GraphReader[] {
  if (options.profileBatch === undefined) return GRAPH_READERS;
  const pipedream = textReader("PipeDream graph.txt", looksLikePipeDreamGraph, (text, file) =>
    readPipeDreamGraph(text, file, { batch: options.profileBatch }),
  );
  return GRAPH_READERS.map((r) => (r === pipedreamGraphReader ? pipedream : r));
}

/** Picks the reader by content and reads; bytes no reader claims are an `unknown-format` issue. */
export function readGraphBytes(
  bytes: Uint8Array,
  file: string,
  readers: readonly GraphReader[] = GRAPH_READERS,
): Result<Graph> {
  const head = bytes.subarray(0, SNIFF_BYTES);
  const headText = new TextDecoder("utf-8").decode(head);
  const reader = readers.find((r) => r.sniff(head, headText));
  if (reader) return reader.read(bytes, file);
  const names = readers.map((r) => r.name).join(", ");
  return fail([
    {
      code: "unknown-format",
      message: bytes.length === 0 ? "the file is empty" : "not a graph format dagpipe reads",
      file,
      expected: `one of: ${names}`,
    },
  ]);
}

/** Reads `path` (relative to `cwd`) and picks its reader by content. */
export function loadGraphFile(
  path: string,
  cwd: string = process.cwd(),
  options: GraphFileOptions = {},
): Result<Graph> {
  const full = resolve(cwd, path);
  let bytes: Uint8Array;
  try {
    if (statSync(full).isDirectory()) return fail([unreadable(path, "is a directory, not a graph file")]);
    bytes = readFileSync(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail([unreadable(path, code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? String(e)})`)]);
  }
  const r = readGraphBytes(bytes, path, graphReaders(options));
  if (!r.ok) return r;
  // Whatever the reader, downstream algorithms may assume a valid DAG.
  const invalid = validateGraph(r.value);
  return invalid.length > 0 ? fail(invalid.map((i) => ({ ...i, file: path }))) : r;
}

function unreadable(file: string, what: string): Issue {
  return { code: "unreadable-file", message: `${file} ${what}`, file };
}
