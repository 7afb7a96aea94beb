/** Short constructors for option specs, so each model's option list reads as a table. */
import type { OptionSpec, OptionValues } from "./options.js";

export const int = (name: string, dflt: number, description: string, min = 1, defaultText?: string): OptionSpec => ({
  name,
  type: "int",
  default: dflt,
  min,
  description,
  ...(defaultText !== undefined ? { defaultText } : {}),
});

export const bool = (name: string, dflt: boolean, description: string): OptionSpec => ({
  name,
  type: "boolean",
  default: dflt,
  description,
});

export const choice = (name: string, values: readonly string[], dflt: string, description: string): OptionSpec => ({
  name,
  type: "enum",
  values,
  default: dflt,
  description,
});

/** Typed reads of checked option values (the parser guarantees the types). */
export const num = (v: OptionValues, name: string): number => v[name] as number;
export const flag = (v: OptionValues, name: string): boolean => v[name] as boolean;
export const str = <T extends string>(v: OptionValues, name: string): T => v[name] as T;
