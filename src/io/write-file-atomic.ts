/**
 * Every file dagpipe writes goes through here: a temporary file beside the target, then a rename, so a reader
 * never sees half a file and a failed write leaves nothing behind.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { InputError } from "../util/issues.js";

/**
 * Writes `content` (text, or chunks for documents too large for one string) to `path`. An operating-system
 * failure is bad input (exit 2) naming `shownAs` and the option that named the file, with the OS's reason;
 * any other error (the chunks' producer throwing) is rethrown as it is. Either way nothing is left behind.
 */
export function writeFileAtomic(
  path: string,
  content: string | Iterable<string>,
  named: { readonly shownAs?: string; readonly option?: string } = {},
): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, "w");
    try {
      if (typeof content === "string") writeSync(fd, content);
      else for (const chunk of content) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    // Only the operating system's refusals are the user's to fix; a bug in the content's producer stays a bug.
    const reason = (e as NodeJS.ErrnoException).code;
    if (typeof reason !== "string") throw e;
    const shownAs = named.shownAs ?? path;
    throw new InputError([
      {
        code: "bad-option",
        message: `cannot write ${shownAs} (${reason})`,
        file: shownAs,
        ...(named.option ? { path: [named.option] } : {}),
        expected: "a writable file path",
      },
    ]);
  }
}
