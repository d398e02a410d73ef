import type { GcCycle } from "../../model/gc-cycle.js";
import { GcCycleBuilder } from "./gc-cycle-builder.js";
import { GcLineScanner } from "./gc-line-scanner.js";

/**
 * Parses one gctrace line (anywhere in `text`: loggers prefix it, application output may precede it).
 * Returns null when `text` holds no complete gc line. `periodic` is filled in by the stream parser
 * (it needs the line before). The grammar is documented in gc-line-scanner.ts.
 */
export function parseGcTraceLine(text: string, lineNumber = 0): GcCycle | null {
  if (!text.includes("gc ")) return null;
  const bytes = new TextEncoder().encode(text);
  const scanner = new GcLineScanner();
  if (!scanner.scanAnywhere(bytes, bytes.length)) return null;
  return new GcCycleBuilder(scanner, false).newCycle(lineNumber);
}
