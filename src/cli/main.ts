import type { Command as CommandType } from "commander";
import { HeapscopeError } from "../errors.js";
import { VERSION } from "../version.js";
import { commander } from "./commander.js";
import { addCommands } from "./commands/index.js";

const { Command, CommanderError } = commander;

/** The program with the commands this command line needs (see commands/index.ts). */
export async function buildProgram(args: readonly string[]): Promise<CommandType> {
  const program = new Command();
  program
    .name("heapscope")
    .description("Is my Go program leaking memory, what holds it, and how do I fix it?")
    .version(VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(text.startsWith("error:") ? `heapscope: ${text.slice(7)}` : text),
    });
  await addCommands(program, args);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and resolves to the process exit code (0 ok, 1 gate tripped, 2 usage or input error). */
export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedPipe();
  const args = normalizePprofFlags(argv);
  try {
    const program = await buildProgram(args.slice(2));
    await program.parseAsync(args);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

/** `heapscope top x | head` closes stdout early: that is not an error worth a stack trace. */
function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed its one-line message (or the help text for --help / --version).
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
    if (error.code === "commander.help") return 0;
    return 2;
  }
  if (error instanceof HeapscopeError) {
    process.stderr.write(`heapscope: ${firstLine(error.message)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`heapscope: internal error: ${firstLine(message)}\n`);
  return 2;
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}

/**
 * pprof spells its options with one dash and underscores (`-sample_index=alloc_space`, `-lines`).
 * Rewrite those to heapscope's long options so a pasted pprof command line works.
 * Only single-dash words of two or more letters are touched; `-` (stdin) and negative numbers are not.
 */
export function normalizePprofFlags(argv: string[]): string[] {
  const out = argv.slice(0, 2);
  let afterSeparator = false;
  for (const arg of argv.slice(2)) {
    if (afterSeparator || arg === "--") {
      afterSeparator = true;
      out.push(arg);
      continue;
    }
    const match = /^-([a-z][a-z_]+)(=.*)?$/.exec(arg);
    if (match) {
      out.push(`--${match[1]!.replaceAll("_", "-")}${match[2] ?? ""}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}
