/**
 * Doctor's golden reports: a stored recording of a corpus scenario in, every report format out. Used
 * by golden.test.ts (compare) and scripts/update-golden.ts (rewrite). Everything here is a pure
 * function of the stored recording and the scenario's source, so the reports are the same on every
 * machine and checkout.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { inputFromRecording } from "../../../src/collect/doctor-input.js";
import { diagnose } from "../../../src/diagnose/diagnose.js";
import type { Diagnosis } from "../../../src/diagnose/types.js";
import { renderDoctorHtml } from "../../../src/render/doctor-html.js";
import { doctorJson } from "../../../src/render/doctor-json.js";
import { renderDoctorMarkdown } from "../../../src/render/doctor-markdown.js";
import { renderDoctorText } from "../../../src/render/doctor-text.js";
import { openRecording } from "../../../src/store/recording-reader.js";

export const goldenDir = path.resolve(import.meta.dirname, "../doctor");
export const goldenInputsDir = path.join(goldenDir, "inputs");
const scenariosDir = path.resolve(import.meta.dirname, "../../e2e/doctor/scenarios");

/** Scenarios whose golden set includes the HTML page (one is enough to pin its sections). */
const HTML_SCENARIOS = new Set(["rotating-catalog-small-leak"]);

export function scenarioDir(scenario: string): string {
  return path.join(scenariosDir, scenario);
}

export interface GoldenCase {
  scenario: string;
  recording: string;
}

export function goldenCases(): GoldenCase[] {
  if (!existsSync(goldenInputsDir)) return [];
  return readdirSync(goldenInputsDir)
    .filter((name) => name.endsWith(".hsrec"))
    .sort()
    .map((name) => ({
      scenario: name.slice(0, -".hsrec".length),
      recording: path.join(goldenInputsDir, name),
    }));
}

/**
 * Source files as named in a -trimpath build (`example.com/catalog/main.go`), read from the scenario
 * folder whose go.mod declares that module. Anything else (the standard library) is not read.
 */
export function scenarioSourceReader(): (file: string) => string | undefined {
  const modules = new Map<string, string>();
  for (const name of readdirSync(scenariosDir)) {
    const goMod = path.join(scenariosDir, name, "go.mod");
    if (!existsSync(goMod)) continue;
    const module = /^module\s+(\S+)/m.exec(readFileSync(goMod, "utf8"))?.[1];
    if (module) modules.set(module, path.join(scenariosDir, name));
  }
  return (file) => {
    for (const [module, dir] of modules) {
      if (!file.startsWith(`${module}/`)) continue;
      const local = path.join(dir, file.slice(module.length + 1));
      return existsSync(local) ? readFileSync(local, "utf8") : undefined;
    }
    return undefined;
  };
}

export function diagnoseGolden(golden: GoldenCase): Diagnosis {
  const reader = openRecording(golden.recording);
  try {
    const input = inputFromRecording(reader, {});
    return diagnose({
      ...input,
      subject: `test/golden/doctor/inputs/${golden.scenario}.hsrec`,
      readSource: scenarioSourceReader(),
    });
  } finally {
    reader.close();
  }
}

/** File name → report text, for every format of one scenario. */
export function renderGolden(golden: GoldenCase): Map<string, string> {
  const diagnosis = diagnoseGolden(golden);
  const out = new Map<string, string>();
  const base = `doctor.${golden.scenario}`;
  out.set(`${base}.text`, renderDoctorText(diagnosis));
  out.set(`${base}.markdown`, renderDoctorMarkdown(diagnosis));
  out.set(`${base}.json`, `${JSON.stringify(doctorJson(diagnosis), null, 1)}\n`);
  if (HTML_SCENARIOS.has(golden.scenario)) out.set(`${base}.html`, renderDoctorHtml(diagnosis));
  return out;
}
