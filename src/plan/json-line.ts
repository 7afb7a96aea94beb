/**
 * Line number (1-based) of the value at a JSON path inside a JSON text, so issues can say `plan.json:42`.
 * A small scanner over already-valid JSON (call it only after JSON.parse succeeded); it returns the line of
 * the deepest prefix of the path it found, and undefined for the root.
 */
import type { PathSegment } from "../util/issues.js";

export function lineOfPath(text: string, path: readonly PathSegment[]): number | undefined {
  if (path.length === 0) return undefined;
  const s = { text, pos: 0 };
  let found: number | undefined;
  for (const seg of path) {
    skipWs(s);
    const c = text[s.pos];
    if (typeof seg === "number" && c === "[") {
      s.pos++;
      let ok = false;
      for (let i = 0; ; i++) {
        skipWs(s);
        if (text[s.pos] === "]") break;
        if (i === seg) {
          ok = true;
          break;
        }
        skipValue(s);
        skipWs(s);
        if (text[s.pos] === ",") s.pos++;
      }
      if (!ok) return found;
    } else if (typeof seg === "string" && c === "{") {
      s.pos++;
      let ok = false;
      for (;;) {
        skipWs(s);
        if (text[s.pos] !== '"') break;
        const keyStart = s.pos;
        const key = readString(s);
        skipWs(s);
        s.pos++; // ':'
        if (key === seg) {
          found = lineAt(text, keyStart);
          skipWs(s);
          ok = true;
          break;
        }
        skipValue(s);
        skipWs(s);
        if (text[s.pos] === ",") s.pos++;
      }
      if (!ok) return found;
      continue;
    } else return found;
    skipWs(s);
    found = lineAt(text, s.pos);
  }
  return found;
}

interface Scanner {
  readonly text: string;
  pos: number;
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function skipWs(s: Scanner): void {
  while (s.pos < s.text.length && /\s/.test(s.text[s.pos]!)) s.pos++;
}

function readString(s: Scanner): string {
  const start = s.pos;
  s.pos++;
  while (s.pos < s.text.length && s.text[s.pos] !== '"') s.pos += s.text[s.pos] === "\\" ? 2 : 1;
  s.pos++;
  return JSON.parse(s.text.slice(start, s.pos)) as string;
}

function skipValue(s: Scanner): void {
  skipWs(s);
  const c = s.text[s.pos];
  if (c === '"') {
    readString(s);
    return;
  }
  if (c === "{" || c === "[") {
    let depth = 0;
    while (s.pos < s.text.length) {
      const ch = s.text[s.pos]!;
      if (ch === '"') {
        readString(s);
        continue;
      }
      if (ch === "{" || ch === "[") depth++;
      else if (ch === "}" || ch === "]") {
        depth--;
        if (depth === 0) {
          s.pos++;
          return;
        }
      }
      s.pos++;
    }
    return;
  }
  while (s.pos < s.text.length && !/[\s,\]}]/.test(s.text[s.pos]!)) s.pos++;
}
