/**
 * JSON text with places, for every reader of a JSON format (graph files, plan documents, cluster files,
 * Hugging Face configs, FlexFlow profiles, Checkmate graphs): one behaviour for "where".
 * - `parseJsonText`: text → value, or one parse-error issue with the line and column where the text first
 *   goes wrong (an empty file says so; a UTF-8 byte-order mark is skipped).
 * - `locateIssues`: issues found in the parsed value → the same issues with the line and column of their
 *   JSON path, so `ops[12].outShape` can say `graph.json:15`.
 * Both scanners are flat (no recursion over the document's nesting), so a hostile, deeply nested file cannot
 * overflow the stack. Pure string work: browser-safe (the plan reader and the hardware parsers are core).
 */
import { fail, type Issue, ok, type PathSegment, type Result } from "./issues.js";

export interface TextPlace {
  readonly line: number;
  readonly column: number;
}

interface Trie {
  readonly children: Map<PathSegment, Trie>;
  place?: TextPlace;
}

/**
 * Where JSON paths sit in a JSON text (1-based line and column), in one pass for any number of paths: the
 * walker descends only into members that lie on a wanted path and skips every other value with a flat scan.
 * Call it on text JSON.parse accepted. A path that is not in the text (a missing field) gets the place of its
 * deepest prefix that is (the object that lacks it).
 */
export function locateJsonPaths(text: string, paths: readonly (readonly PathSegment[])[]): (TextPlace | undefined)[] {
  const root: Trie = { children: new Map() };
  for (const p of paths) {
    let t = root;
    for (const seg of p) {
      let c = t.children.get(seg);
      if (!c) {
        c = { children: new Map() };
        t.children.set(seg, c);
      }
      t = c;
    }
  }
  const s = new Scanner(text);
  s.ws();
  s.walk(root);
  return paths.map((p) => {
    if (p.length === 0) return undefined;
    let t: Trie | undefined = root;
    let best = root.place;
    for (const seg of p) {
      t = t.children.get(seg);
      if (!t?.place) break;
      best = t.place;
    }
    return best;
  });
}

class Scanner {
  pos = 0;
  line = 1;
  lineStart = 0;

  constructor(private readonly text: string) {}

  place(): TextPlace {
    return { line: this.line, column: this.pos - this.lineStart + 1 };
  }

  ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 10) {
        this.line++;
        this.lineStart = this.pos + 1;
      } else if (c !== 32 && c !== 9 && c !== 13) return;
      this.pos++;
    }
  }

  /** Walks the value at `pos`, recording places of trie nodes; depth is bounded by the longest wanted path. */
  walk(node: Trie): void {
    node.place = this.place();
    const c = this.text[this.pos];
    if (node.children.size === 0 || (c !== "{" && c !== "[")) {
      this.skipValue();
      return;
    }
    this.pos++;
    for (let i = 0; ; i++) {
      this.ws();
      const ch = this.text[this.pos];
      if (ch === "}" || ch === "]" || ch === undefined) {
        this.pos++;
        return;
      }
      let key: PathSegment = i;
      if (c === "{") {
        key = this.readString();
        this.ws();
        this.pos++; // ':'
        this.ws();
      }
      const child = node.children.get(key);
      if (child) this.walk(child);
      else this.skipValue();
      this.ws();
      if (this.text[this.pos] === ",") this.pos++;
    }
  }

  readString(): string {
    const start = this.pos;
    this.pos++;
    let escaped = false;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos++);
      if (c === 92) {
        escaped = true;
        this.pos++; // the escaped character, which may be a quote
      } else if (c === 34) break;
    }
    const raw = this.text.slice(start, this.pos);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  /** Skips one value of any size without recursion. */
  skipValue(): void {
    const t = this.text;
    let depth = 0;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 34) {
        this.readString();
        if (depth === 0) return;
        continue;
      }
      if (depth === 0 && (c === 44 || c === 32 || c === 9 || c === 13 || c === 10)) return; // a scalar ended
      if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (depth === 0) return; // end of the enclosing container: a scalar ended here
        depth--;
        if (depth === 0) {
          this.pos++;
          return;
        }
      } else if (c === 10) {
        this.line++;
        this.lineStart = this.pos + 1;
      }
      this.pos++;
    }
  }
}

/** 1-based line and column of a character offset (for JSON.parse's "at position N"). */
export function placeOfOffset(text: string, offset: number): TextPlace {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Where a JSON text first goes wrong, or −1 (JSON.parse gives a position only for some errors). A flat
 * scanner with an explicit stack of open containers: it checks token order, not number or escape details,
 * which is enough to point a person at the right line.
 */
export function firstSyntaxErrorOffset(text: string): number {
  const stack: number[] = []; // 123 '{' or 91 '['
  // What may come next: a value, a key (or '}' when the object is empty), ':' , ',' or a closer.
  let expect: "value" | "value-or-close" | "key" | "key-or-close" | "colon" | "comma-or-close" = "value";
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      i++;
    }
  };
  for (;;) {
    ws();
    if (i >= n) return stack.length === 0 && expect === "comma-or-close" ? -1 : n;
    if (stack.length === 0 && expect === "comma-or-close") return i; // text after the document
    const c = text.charCodeAt(i);
    const close = c === 125 || c === 93;
    if (close) {
      const open = stack[stack.length - 1];
      const matches = (c === 125 && open === 123) || (c === 93 && open === 91);
      const allowed =
        expect === "comma-or-close" || (c === 125 ? expect === "key-or-close" : expect === "value-or-close");
      if (!matches || !allowed) return i;
      stack.pop();
      i++;
      expect = "comma-or-close";
      continue;
    }
    if (expect === "colon") {
      if (c !== 58) return i;
      i++;
      expect = "value";
      continue;
    }
    if (expect === "comma-or-close") {
      if (c !== 44) return i;
      i++;
      expect = stack[stack.length - 1] === 123 ? "key" : "value";
      continue;
    }
    if (expect === "key" || expect === "key-or-close") {
      if (c !== 34) return i;
      const end = stringEnd(text, i);
      if (end < 0) return i;
      i = end;
      expect = "colon";
      continue;
    }
    // a value
    if (c === 123 || c === 91) {
      stack.push(c);
      i++;
      expect = c === 123 ? "key-or-close" : "value-or-close";
      continue;
    }
    if (c === 34) {
      const end = stringEnd(text, i);
      if (end < 0) return i;
      i = end;
    } else {
      const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) return i;
      i += m[0].length;
    }
    expect = "comma-or-close";
  }
}

/** Offset just past the closing quote of the string starting at `start`, or −1 if it never closes on its line. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i + 1;
    else if (c < 32) return -1;
  }
  return -1;
}

const BOM = 0xfeff;

function withoutBom(text: string): string {
  return text.charCodeAt(0) === BOM ? text.slice(1) : text;
}

/** JSON text → value, or a parse-error issue naming the file and the line and column where the text goes wrong. */
export function parseJsonText(text: string, file?: string): Result<unknown> {
  const body = withoutBom(text);
  try {
    return ok(JSON.parse(body) as unknown);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const scanned = firstSyntaxErrorOffset(body);
    const reported = /position (\d+)/.exec(message);
    const offset = scanned >= 0 ? scanned : reported ? Number(reported[1]) : -1;
    const place = offset >= 0 ? placeOfOffset(body, offset) : undefined;
    return fail([
      {
        code: "parse-error",
        message: body.trim() === "" ? "the file is empty" : `not valid JSON: ${shortReason(message)}`,
        ...(file === undefined ? {} : { file }),
        ...(place ? { line: place.line, column: place.column } : {}),
        expected: "a JSON document",
      },
    ]);
  }
}

/** V8's reason without the echoed text or the offset (the issue carries line and column). */
function shortReason(message: string): string {
  return message
    .replace(/,\s*".*"\s*is not valid JSON$/s, "")
    .replace(/\s*in JSON at position \d+.*$/s, "")
    .trim();
}

/**
 * Issues found in the value parsed from `text` → the same issues with the file (when given) and the line and
 * column of their JSON path. Issues that already have a line, or no path, are left where they are.
 */
export function locateIssues(text: string, issues: readonly Issue[], file?: string): Issue[] {
  const wanted = issues.map((i) => (i.line === undefined && i.path && i.path.length > 0 ? i.path : []));
  const places = wanted.some((p) => p.length > 0) ? locateJsonPaths(withoutBom(text), wanted) : [];
  return issues.map((issue, k) => {
    const place = places[k];
    return {
      ...issue,
      ...(file === undefined ? {} : { file }),
      ...(place ? { line: place.line, column: place.column } : {}),
    };
  });
}
