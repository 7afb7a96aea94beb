/**
 * The runtime tests need a Python with torch. Without one they SKIP (saying why) — unless
 * DAGPIPE_REQUIRE_TORCH is set (CI sets it), in which case a missing torch FAILS them.
 */
import { findTorchPython, noTorchMessage } from "../../src/io/python-probe.js";

export interface TorchPython {
  /** The interpreter, or undefined when the tests must skip. */
  readonly python?: string;
  /** node:test `skip` option value: false, or the reason. */
  readonly skip: false | string;
}

let cached: Promise<TorchPython> | undefined;

export function torchPython(): Promise<TorchPython> {
  cached ??= (async () => {
    const found = await findTorchPython({ env: process.env });
    if (found.ok) return { python: found.info.python, skip: false };
    const why = noTorchMessage(found, "tests");
    if (process.env["DAGPIPE_REQUIRE_TORCH"]) {
      throw new Error(`DAGPIPE_REQUIRE_TORCH is set but no Python with torch was found:\n${why}`);
    }
    return { skip: `no Python with torch (set DAGPIPE_PYTHON or install python3-torch): ${why.split("\n")[0]}` };
  })();
  return cached;
}
