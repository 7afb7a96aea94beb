/** `dagpipe models [--json]`: the zoo, each model's options with their defaults. */
import { flagOf, type ModelEntry, type OptionSpec, ZOO } from "../../models/index.js";
import type { CliCommand } from "../context.js";
import { EXIT, runAction } from "../context.js";

function optionJson(o: OptionSpec) {
  return {
    name: o.name,
    flag: flagOf(o.name),
    type: o.type,
    default: o.default,
    ...(o.defaultText !== undefined ? { defaultText: o.defaultText } : {}),
    ...(o.type === "enum" ? { values: o.values } : {}),
    description: o.description,
  };
}

function valueHint(o: OptionSpec): string {
  if (o.type === "boolean") return "";
  if (o.type === "enum") return ` ${o.values.join("|")}`;
  return o.type === "int" ? " <int>" : " <number>";
}

function shownDefault(o: OptionSpec): string {
  if (o.defaultText !== undefined) return o.defaultText;
  if (o.type === "boolean") return o.default ? "on (--no-… turns off)" : "off";
  return String(o.default);
}

export function formatModels(entries: readonly ModelEntry[]): string {
  const blocks = entries.map((e) => {
    const flags = e.options.map((o) => `${flagOf(o.name)}${valueHint(o)}`);
    const fw = Math.max(...flags.map((f) => f.length));
    const dw = Math.max(...e.options.map((o) => shownDefault(o).length));
    const lines = e.options.map(
      (o, i) => `    ${flags[i]!.padEnd(fw)}  ${shownDefault(o).padEnd(dw)}  ${o.description}`,
    );
    return [`${e.name} — ${e.description}`, ...lines].join("\n");
  });
  return `${blocks.join("\n\n")}\n\nUse: dagpipe inspect <model> [options], e.g. dagpipe inspect mmt --branches 4 --layers 8\n`;
}

export const modelsCommand: CliCommand = {
  name: "models",
  register(program, ctx) {
    program
      .command("models")
      .description("List the built-in model zoo and each model's options with defaults")
      .option("--json", "print one JSON document")
      .action(
        runAction(ctx, (opts: { json?: boolean }) => {
          const entries = Object.values(ZOO);
          if (opts.json) {
            const doc = {
              models: entries.map((e) => ({
                name: e.name,
                description: e.description,
                options: e.options.map(optionJson),
              })),
            };
            ctx.io.out(`${JSON.stringify(doc, null, 2)}\n`);
          } else ctx.io.out(formatModels(entries));
          return EXIT.ok;
        }),
      );
  },
};
