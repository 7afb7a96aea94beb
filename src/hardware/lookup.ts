/** Case-insensitive lookup by name in a preset table; a miss is an issue that lists every valid name. */
import type { IssueCode, PathSegment, Result } from "../util/issues.js";
import { fail, ok } from "../util/issues.js";

export function findByName<T>(
  table: ReadonlyMap<string, T>,
  name: string,
  what: { code: IssueCode; noun: string; path?: readonly PathSegment[]; file?: string },
): Result<T> {
  const exact = table.get(name);
  if (exact !== undefined) return ok(exact);
  const lower = name.toLowerCase();
  for (const [key, value] of table) if (key.toLowerCase() === lower) return ok(value);
  const names = [...table.keys()];
  return fail([
    {
      code: what.code,
      message: `unknown ${what.noun} "${name}"`,
      expected: `one of ${names.join(", ")}`,
      got: name,
      ...(what.path === undefined ? {} : { path: what.path }),
      ...(what.file === undefined ? {} : { file: what.file }),
    },
  ]);
}

/** The canonical spelling of `name` in the table (its key), or undefined. */
export function canonicalName<T>(table: ReadonlyMap<string, T>, name: string): string | undefined {
  if (table.has(name)) return name;
  const lower = name.toLowerCase();
  for (const key of table.keys()) if (key.toLowerCase() === lower) return key;
  return undefined;
}
