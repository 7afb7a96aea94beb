/**
 * Finds where a JSON text first goes wrong, for the files JSON.parse rejects without saying where (V8 gives
 * a position only for some errors). A flat scanner with an explicit stack of open containers: it checks
 * token order, not number or escape details, which is enough to point a person at the right line.
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
