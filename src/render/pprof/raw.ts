/**
 * `heapscope raw`: the profile's entities as pprof's `-raw` prints them (profile.Profile.String):
 * header, samples with labels, locations with their lines, mappings.
 */
import {
  compareGoStrings,
  formatGoDuration,
  formatGoTimeString,
  hex0x,
  padLeft,
  truncateRunes,
} from "../../profile/go-format.js";
import type { Location, Mapping, Profile, Sample } from "../../profile/model.js";

export function renderRaw(profile: Profile): string {
  const lines: string[] = [];
  for (const comment of profile.comments) lines.push(`Comment: ${comment}`);
  if (profile.docUrl !== "") lines.push(`Doc: ${profile.docUrl}`);
  const periodType = profile.periodType ?? { type: "", unit: "" };
  lines.push(`PeriodType: ${periodType.type} ${periodType.unit}`);
  lines.push(`Period: ${profile.period}`);
  if (profile.timeNanos !== 0n) lines.push(`Time: ${formatGoTimeString(profile.timeNanos)}`);
  if (profile.durationNanos !== 0n)
    lines.push(`Duration: ${truncateRunes(formatGoDuration(profile.durationNanos), 4)}`);
  lines.push("Samples:");
  let types = "";
  for (const t of profile.sampleTypes) {
    types += `${t.type}/${t.unit}${t.type === profile.defaultSampleType ? "[dflt]" : ""} `;
  }
  lines.push(types.trim());
  for (const sample of profile.samples) lines.push(sampleText(sample));
  lines.push("Locations");
  for (const location of profile.locations) lines.push(locationText(location));
  lines.push("Mappings");
  for (const mapping of profile.mappings) lines.push(mappingText(mapping));
  return `${lines.join("\n")}\n`;
}

const labelHeader = "                ";

function sampleText(sample: Sample): string {
  let text = "";
  sample.values.forEach((v, i) => {
    const exact = sample.exactValues?.[i];
    text += ` ${padLeft(exact !== undefined ? exact.toString() : String(v), 10)}`;
  });
  text += ": ";
  for (const l of sample.locations) text += `${l.id} `;
  const out = [text];
  if (sample.labels.size > 0) {
    const parts: string[] = [];
    for (const [key, values] of sample.labels) parts.push(`${key}:[${values.join(" ")}]`);
    parts.sort(compareGoStrings);
    out.push(labelHeader + parts.join(" "));
  }
  if (sample.numLabels.size > 0) {
    const parts: string[] = [];
    for (const [key, values] of sample.numLabels) {
      const units = sample.numUnits.get(key) ?? [];
      // pprof keeps units only when some value had one; they then parallel the values.
      if (units.length === values.length && units.some((u) => u !== "")) {
        parts.push(`${key}:[${values.map((v, i) => `${v} ${units[i]}`).join(" ")}]`);
      } else {
        parts.push(`${key}:[${values.join(" ")}]`);
      }
    }
    parts.sort(compareGoStrings);
    out.push(labelHeader + parts.join(" "));
  }
  return out.join("\n");
}

function locationText(location: Location): string {
  let prefix = `${padLeft(String(location.id), 6)}: ${hex0x(location.address)} `;
  if (location.mapping) prefix += `M=${location.mapping.id} `;
  if (location.isFolded) prefix += "[F] ";
  if (location.lines.length === 0) return prefix;
  const out: string[] = [];
  for (const line of location.lines) {
    let text = "??";
    const fn = line.function;
    if (fn) {
      text = `${fn.name} ${fn.filename}:${line.line}:${line.column} s=${fn.startLine}`;
      if (fn.name !== fn.systemName) text += `(${fn.systemName})`;
    }
    out.push(prefix + text);
    prefix = "             ";
  }
  return out.join("\n");
}

function mappingText(mapping: Mapping): string {
  let bits = "";
  if (mapping.hasFunctions) bits += "[FN]";
  if (mapping.hasFilenames) bits += "[FL]";
  if (mapping.hasLineNumbers) bits += "[LN]";
  if (mapping.hasInlineFrames) bits += "[IN]";
  return `${mapping.id}: ${hex0x(mapping.start)}/${hex0x(mapping.limit)}/${hex0x(mapping.offset)} ${mapping.file} ${mapping.buildId} ${bits}`;
}
