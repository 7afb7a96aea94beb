import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { validateGraph } from "../../src/graph/validate.js";
import { readPipeDreamGraph } from "../../src/io/pipedream-graph.js";

const base = readFileSync("test/fixtures/pipedream/vgg16/graph.txt", "utf8");
const baseLines = base.split("\n");

/** Line-level edits (delete, duplicate, swap two lines) and character-level edits with format-relevant characters. */
const arbEdit = fc.oneof(
  fc.record({ kind: fc.constant("delete-line" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate-line" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap-lines" as const), at: fc.nat(), other: fc.nat() }),
  fc.record({
    kind: fc.constant("replace-chars" as const),
    at: fc.nat(),
    length: fc.integer({ min: 0, max: 6 }),
    with: fc.string({
      unit: fc.constantFrom(
        "\t",
        "\n",
        "\r",
        "-",
        " ",
        "=",
        "[",
        "]",
        ";",
        ",",
        "0",
        "9",
        ".",
        "e",
        "x",
        "node1",
        "-- ",
        "nan",
      ),
      maxLength: 4,
    }),
  }),
);

function applyEdits(edits: readonly Edit[]): string {
  let lines = [...baseLines];
  for (const e of edits) {
    const at = e.at % lines.length;
    if (e.kind === "delete-line") lines.splice(at, 1);
    else if (e.kind === "duplicate-line") lines.splice(at, 0, lines[at]!);
    else if (e.kind === "swap-lines") {
      const o = e.other % lines.length;
      [lines[at], lines[o]] = [lines[o]!, lines[at]!];
    } else {
      const text = lines.join("\n");
      const pos = e.at % (text.length + 1);
      lines = (text.slice(0, pos) + e.with + text.slice(pos + e.length)).split("\n");
    }
    if (lines.length === 0) lines = [""];
  }
  return lines.join("\n");
}
type Edit =
  | { kind: "delete-line"; at: number }
  | { kind: "duplicate-line"; at: number }
  | { kind: "swap-lines"; at: number; other: number }
  | { kind: "replace-chars"; at: number; length: number; with: string };

describe("readPipeDreamGraph on mutated profiles", () => {
  it("never throws: each mutation parses to a valid graph or yields issues naming the file and a line in range", () => {
    const outcome = { ok: 0, failed: 0 };
    fc.assert(
      fc.property(fc.array(arbEdit, { minLength: 1, maxLength: 4 }), fc.boolean(), (edits, giveBatch) => {
        const src = applyEdits(edits);
        const lineCount = src.split("\n").length;
        const r = readPipeDreamGraph(src, "mutant.txt", giveBatch ? { batch: 128 } : {});
        if (r.ok) {
          outcome.ok++;
          assert.deepEqual(validateGraph(r.value), []);
        } else {
          outcome.failed++;
          assert.ok(r.issues.length > 0);
          for (const issue of r.issues) {
            assert.equal(issue.file, "mutant.txt");
            if (issue.code !== "bad-option") {
              assert.ok(issue.line !== undefined && issue.line >= 1 && issue.line <= lineCount, JSON.stringify(issue));
            }
          }
        }
      }),
      { numRuns: 600 },
    );
    assert.ok(
      outcome.ok > 50 && outcome.failed > 50,
      `mutations must both survive and break: ${JSON.stringify(outcome)}`,
    );
  });
});
