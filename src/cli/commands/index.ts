import type { Command } from "commander";
import { register as registerBench } from "./bench.js";
import { register as registerDemo } from "./demo.js";
import { register as registerDiff } from "./diff.js";
import { register as registerDoctor } from "./doctor.js";
import { register as registerExport } from "./export.js";
import { register as registerGcTrace } from "./gctrace.js";
import { register as registerGoroutines } from "./goroutines.js";
import { register as registerInspect } from "./inspect.js";
import { register as registerList } from "./list.js";
import { register as registerMemstats } from "./memstats.js";
import { register as registerPeek } from "./peek.js";
import { register as registerRaw } from "./raw.js";
import { register as registerRecord } from "./record.js";
import { register as registerTags } from "./tags.js";
import { register as registerTop } from "./top.js";
import { register as registerTraces } from "./traces.js";
import { register as registerTree } from "./tree.js";
import { register as registerUi } from "./ui.js";

/**
 * Every CLI command registers itself here: one module per command under src/cli/commands/,
 * each exporting `register(program)`. Keep the list in the order `--help` should show.
 */
export type CommandRegistrar = (program: Command) => void;

export const commandRegistrars: CommandRegistrar[] = [
  registerDoctor,
  registerDemo,
  registerRecord,
  registerInspect,
  registerExport,
  registerBench,
  registerDiff,
  registerTop,
  registerTree,
  registerPeek,
  registerList,
  registerTraces,
  registerTags,
  registerRaw,
  registerMemstats,
  registerGcTrace,
  registerGoroutines,
  registerUi,
];
