/**
 * A file the user named on the command line, as UTF-8 text. A failed read is bad input (exit 2): an
 * InputError whose issue the caller words, given the operating system's reason (ENOENT, EISDIR, EACCES …).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { InputError, type Issue } from "../util/issues.js";

export function readTextFile(file: string, cwd: string, issueFor: (reason: string) => Issue): string {
  try {
    return readFileSync(resolve(cwd, file), "utf8");
  } catch (e) {
    throw new InputError([issueFor((e as NodeJS.ErrnoException).code ?? "unreadable")]);
  }
}
