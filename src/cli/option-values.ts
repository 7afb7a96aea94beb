/** Option values of the commands that drive PyTorch (run, profile, export): bad ones throw InputError (exit 2). */
import { InputError } from "../util/issues.js";

export function badOption(message: string, expected: string, got: string): InputError {
  return new InputError([{ code: "bad-option", message, expected, got }]);
}

/** `--<name> <value>` as an integer ≥ `min`. */
export function intOption(name: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw badOption(`--${name} must be an integer ≥ ${min}`, `integer ≥ ${min}`, value);
  return n;
}

/** `--device cpu|cuda`. */
export function deviceOption(value: string): "cpu" | "cuda" {
  if (value !== "cpu" && value !== "cuda") throw badOption("--device must be cpu or cuda", "cpu | cuda", value);
  return value;
}
