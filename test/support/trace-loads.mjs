// Preloaded with `node --import` by test/support/loaded-modules.ts: records every module the process
// loads into the file named by HEAPSCOPE_TRACE_LOADS, one URL a line. ES modules (and CommonJS
// packages reached by an import) are seen by a resolve hook, which runs on the loader thread;
// CommonJS modules that such a package requires are read from the require cache at exit.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { pathToFileURL } from "node:url";

const out = process.env.HEAPSCOPE_TRACE_LOADS;
if (!out) throw new Error("trace-loads.mjs needs HEAPSCOPE_TRACE_LOADS");
register(new URL("./trace-loads-hooks.mjs", import.meta.url));
const require = createRequire(import.meta.url);
process.on("exit", () => {
  const files = Object.keys(require.cache).map((file) => pathToFileURL(file).href);
  appendFileSync(out, files.map((url) => `${url}\n`).join(""));
});
