import type { Command } from "commander";

/**
 * Every CLI command registers itself here: one module per command under src/cli/commands/,
 * each exporting `register(program)`. Keep the list in the order `--help` should show.
 */
export type CommandRegistrar = (program: Command) => void;

export const commandRegistrars: CommandRegistrar[] = [];
