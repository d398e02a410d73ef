import { parseByteSize } from "../byte-size.js";
import type { MemoryLimitHint } from "./parse-result.js";

const MEMORY_LIMIT = /GOMEMLIMIT\s*[=:]\s*"?(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?\b/i;
const GOGC_OFF = /GOGC\s*[=:]\s*"?off\b/i;

/**
 * Runtime settings an application mentions in its own output (`GOMEMLIMIT=2GiB`, `GOGC=off`):
 * gctrace does not print them, but they change how its figures read.
 */
export class RuntimeSettingHints {
  /** The first memory limit seen. */
  memoryLimit?: MemoryLimitHint;
  gogcOff = false;

  /** Looks for a setting in a trimmed line that is not a gc or scavenger line. */
  observe(trimmed: string, lineNumber: number): void {
    if (!this.memoryLimit && trimmed.includes("GOMEMLIMIT")) {
      const m = MEMORY_LIMIT.exec(trimmed);
      const bytes = m ? parseByteSize(`${m[1]}${m[2] ?? ""}`) : null;
      if (bytes && bytes > 0) this.memoryLimit = { bytes, lineNumber, text: trimmed.slice(0, 200) };
    }
    if (!this.gogcOff && GOGC_OFF.test(trimmed)) this.gogcOff = true;
  }
}
