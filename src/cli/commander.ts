/**
 * commander, loaded through require: it is a CommonJS package, and importing it as an ES module
 * (its esm.mjs wrapper over the CommonJS entry) costs every command line about 3 ms more CPU at
 * start-up (measured against an empty module, medians of 25 runs). Types still come from
 * `import type { ... } from "commander"`.
 */
import { createRequire } from "node:module";

export const commander = createRequire(import.meta.url)("commander") as typeof import("commander");
