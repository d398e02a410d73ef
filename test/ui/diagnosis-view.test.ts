/**
 * The doctor page's projection of a Diagnosis: one card per suspect with its series, holders and
 * the source line with its neighbours (only when the file can be read), the program's holders.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnosis, SuspectHolder } from "../../src/diagnose/types.js";
import { diagnosisView } from "../../src/ui/server/diagnosis.js";

const golden = path.resolve(import.meta.dirname, "../golden/doctor/doctor.session-map-growth.json");

/** The golden JSON writes series as [t, v] pairs; the Diagnosis holds {tSeconds, value}. */
function loadDiagnosis(): Diagnosis {
  const json = JSON.parse(readFileSync(golden, "utf8")) as Diagnosis & {
    suspects: Array<{ series: unknown }>;
  };
  for (const s of json.suspects) {
    s.series = (s.series as Array<[number, number]>).map(([tSeconds, value]) => ({ tSeconds, value }));
  }
  return json;
}

describe("diagnosisView", () => {
  it("lays out the suspects as cards with series, source lines and holders", () => {
    const diagnosis = loadDiagnosis();
    const holder: SuspectHolder = {
      root: "main.sessions",
      rootKind: "global",
      path: [{ bytes: 48, site: null, offset: 0 }],
      retainedBytes: 1 << 20,
      objects: 100,
      share: 0.9,
      samples: 40,
      claim: "estimate",
    };
    diagnosis.suspects[0]!.heap!.heldBy = [holder];
    const file = Array.from({ length: 40 }, (_, k) => `line ${k + 1}`);
    const view = diagnosisView(
      diagnosis,
      (f) => (f === diagnosis.suspects[0]!.file ? file : undefined),
      true,
    );
    expect(view.verdict).toBe("leak");
    expect(view.suspects).toHaveLength(diagnosis.suspects.length);
    const card = view.suspects[0]!;
    expect(card.function).toBe("main.newSession");
    expect(card.heldBy).toEqual([holder]);
    expect(card.series[0]).toEqual([
      diagnosis.suspects[0]!.series[0]!.tSeconds,
      diagnosis.suspects[0]!.series[0]!.value,
    ]);
    // Line 31 with three neighbours each side; line 30 also allocates (a marked line).
    expect(card.source).toEqual({
      file: card.file,
      firstLine: 28,
      lines: ["line 28", "line 29", "line 30", "line 31", "line 32", "line 33", "line 34"],
      focus: 31,
      marked: [31, 30],
    });
    // The second suspect is in the same file, at line 39.
    expect(view.suspects[1]!.source?.focus).toBe(39);
    expect(view.suspects[1]!.source?.lines[3]).toBe("line 39");
    // Without a readable file there is no excerpt.
    expect(diagnosisView(diagnosis).suspects[0]!.source).toBeNull();
    expect(view.sourceAvailable).toBe(true);
    expect(view.holders).toEqual([]);
  });

  it("downsamples a long series for the sparkline, keeping its ends", () => {
    const diagnosis = loadDiagnosis();
    const series = Array.from({ length: 5000 }, (_, k) => ({ tSeconds: k, value: k * 3 }));
    diagnosis.suspects[0]!.series = series;
    const card = diagnosisView(diagnosis).suspects[0]!;
    expect(card.series.length).toBeLessThanOrEqual(121);
    expect(card.series[0]).toEqual([0, 0]);
    expect(card.series[card.series.length - 1]).toEqual([4999, 4999 * 3]);
  });
});
