// Module hooks registered by trace-loads.mjs: appends each resolved module URL to HEAPSCOPE_TRACE_LOADS.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.HEAPSCOPE_TRACE_LOADS, `${resolved.url}\n`);
  return resolved;
}
