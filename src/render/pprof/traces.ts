/**
 * `heapscope traces`: every sample with its labels and stack (pprof's `-traces`,
 * report.printTraces).
 */
import { compareGoStrings, padLeft } from "../../profile/go-format.js";
import { divide, NodeTable, printableName } from "../../profile/graph.js";
import { autoLabel } from "../../profile/measurement.js";
import type { PreparedReport } from "../../profile/prepare.js";
import { formatValue, newView, profileLabels } from "./common.js";

const separator = "-----------+-------------------------------------------------------";

export function renderTraces(report: PreparedReport): string {
  const view = newView(report);
  const profile = report.profile;
  const out: string[] = [profileLabels(view).join("\n")];
  const table = new NodeTable(profile, { fields: undefined, objNames: false });
  const names = table.infos.map(printableName);
  const { locationStart, locationNodes } = table;
  for (const sample of profile.samples) {
    const stack: string[] = [];
    for (const location of sample.locations) {
      const li = table.locationIndex(location);
      if (li < 0) continue;
      const first = locationStart[li]!;
      const last = locationStart[li + 1]! - 1;
      for (let k = first; k <= last; k++)
        stack.push(k !== last ? `${names[locationNodes[k]!]} (inline)` : names[locationNodes[k]!]!);
    }
    if (stack.length === 0) continue;
    out.push(separator);
    const labels: string[] = [];
    for (const [key, values] of sample.labels) labels.push(`${padLeft(key, 10)}:  ${values.join(" ")}`);
    labels.sort(compareGoStrings);
    out.push(...labels);
    const numLabels: string[] = [];
    for (const [key, values] of sample.numLabels) {
      const unit = report.numLabelUnits.get(key) ?? "";
      numLabels.push(`${padLeft(key, 10)}:  ${values.map((v) => autoLabel(Number(v), unit)).join(" ")}`);
    }
    numLabels.sort(compareGoStrings);
    out.push(...numLabels);
    let value = sample.values[report.sampleIndex]!;
    const divisor = report.meanIndex >= 0 ? sample.values[report.meanIndex]! : 0;
    value = divide(value, divisor);
    stack.forEach((frame, i) => {
      out.push(`${padLeft(i === 0 ? formatValue(view, value) : "", 10)}   ${frame}`);
    });
  }
  out.push(separator);
  return `${out.join("\n")}\n`;
}
