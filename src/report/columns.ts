/**
 * Rows as aligned text columns, two spaces apart, trailing blanks trimmed; `right`: the indexes of the
 * right-aligned columns; `rule`: a line of dashes under the first row (the headers).
 */
export function alignColumns(
  rows: readonly (readonly string[])[],
  right: ReadonlySet<number> = new Set(),
  rule = false,
): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd(),
  );
  if (rule) lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines;
}
