import type { Command } from "commander";
import { parseEnum } from "./parse-options.js";

export type OutputFormat = "text" | "json" | "markdown";

/** Adds the shared `--format text|json|markdown` and `--json` options to a command. */
export function addFormatOptions(
  command: Command,
  formats: OutputFormat[] = ["text", "json", "markdown"],
): Command {
  return command
    .option("--format <format>", `output format: ${formats.join("|")}`, "text")
    .option("--json", "shorthand for --format json");
}

export function resolveFormat(
  options: { format?: string; json?: boolean; markdown?: boolean },
  allowed: OutputFormat[] = ["text", "json", "markdown"],
): OutputFormat {
  if (options.json) return "json";
  if (options.markdown) return "markdown";
  return parseEnum(options.format ?? "text", "--format", allowed);
}

/** Writes text to stdout, adding a final newline when missing. */
export function writeOut(text: string): void {
  process.stdout.write(text.endsWith("\n") || text === "" ? text : `${text}\n`);
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

/** bigint values are written as JSON numbers without losing digits. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  return value;
}

/** True when progress/status lines may be drawn (a terminal, not CI). */
export function isInteractive(stream: NodeJS.WriteStream = process.stderr): boolean {
  return Boolean(stream.isTTY) && !process.env.CI;
}
