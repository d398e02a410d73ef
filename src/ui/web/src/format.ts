/**
 * UI-only formatting helpers. Values themselves are written by heapscope's one units module
 * (model/units.ts: formatQuantity, formatCount, formatDuration), like every other report.
 */
import { formatPercent } from "../../../model/units.js";

/** `value` as a share of `total`: "12.5%"; "0%" when there is no total. */
export function formatShare(value: number, total: number): string {
  return formatPercent(total === 0 ? 0 : value / total);
}

/** Escapes a literal string for use inside a regular expression (pprof's filters are regexes). */
export function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
