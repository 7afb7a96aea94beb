/**
 * Where JSON paths sit in a JSON text (1-based line and column), so an issue at `ops[12].outShape` can say
 * `graph.json:15`. One pass over the text for any number of paths: the walker descends only into members
 * that lie on a wanted path and skips every other value with a flat (non-recursive) scan, so a hostile,
 * deeply nested file cannot overflow the stack. Call it on text JSON.parse accepted. A path that is not in
 * the text (a missing field) gets the place of its deepest prefix that is (the object that lacks it).
 */
import type { PathSegment } from "../util/issues.js";

export interface TextPlace {
  readonly line: number;
  readonly column: number;
}

interface Trie {
  readonly children: Map<PathSegment, Trie>;
  place?: TextPlace;
}

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
