/**
 * `heapscope tags`: totals per label value (pprof's `-tags`, report.printTags). For Go heap
 * profiles the numeric `bytes` label makes this the allocation-size histogram.
 */
import { compareGoStrings } from "../../profile/go-format.js";
import { percentage, scaledLabel } from "../../profile/measurement.js";
import type { PreparedReport } from "../../profile/prepare.js";
import { formatValue, newView } from "./common.js";
import { tabwriterFormat } from "./tabwriter.js";

export interface TagValueTotal {
  name: string;
  value: number;
}

export interface TagKeyTotals {
  key: string;
  total: number;
  values: TagValueTotal[];
}

/** Per label key, the summed sample value of each label value, sorted as pprof sorts them. */
export function tagTotals(report: PreparedReport): TagKeyTotals[] {
  const byKey = new Map<string, Map<string, number>>();
  const totals = new Map<string, number>();
  const add = (key: string, name: string, value: number) => {
    let values = byKey.get(key);
    if (!values) byKey.set(key, (values = new Map()));
    values.set(name, (values.get(name) ?? 0) + value);
    totals.set(key, (totals.get(key) ?? 0) + value);
  };
  for (const sample of report.profile.samples) {
    const value = sample.values[report.sampleIndex]!;
    for (const [key, values] of sample.labels) for (const v of values) add(key, v, value);
    for (const [key, values] of sample.numLabels) {
      const unit = report.numLabelUnits.get(key) ?? "";
      for (const v of values) add(key, scaledLabel(Number(v), unit, report.outputUnit), value);
    }
  }
  const keys = [...byKey.keys()].sort(compareGoStrings);
  return keys.map((key) => ({
    key,
    total: totals.get(key)!,
    values: [...byKey.get(key)!].map(([name, value]) => ({ name, value })).sort(compareTags),
  }));
}

function compareTags(a: TagValueTotal, b: TagValueTotal): number {
  if (a.value !== b.value) {
    const x = Math.abs(a.value);
    const y = Math.abs(b.value);
    if (x !== y) return x > y ? -1 : 1;
  }
  return compareGoStrings(a.name, b.name);
}

export function renderTags(report: PreparedReport): string {
  const view = newView(report);
  const total = report.total;
  let text = "";
  for (const key of tagTotals(report)) {
    if (total > 0) {
      text += `${key.key}:\t Total ${formatValue(view, key.total)} of ${formatValue(view, total)} (${percentage(key.total, total)})\n`;
    } else {
      text += `${key.key}:\t Total ${formatValue(view, key.total)} of ${formatValue(view, total)}\n`;
    }
    for (const tag of key.values) {
      if (total > 0) {
        text += ` \t${formatValue(view, tag.value)} (${percentage(tag.value, total)}):\t ${tag.name}\n`;
      } else {
        text += ` \t${formatValue(view, tag.value)}:\t ${tag.name}\n`;
      }
    }
    text += "\n";
  }
  return tabwriterFormat(text, { alignRight: true });
}
