/**
 * `doctor --ui` hands the verdict it printed to the UI: the doctor page then shows that diagnosis
 * (its decision and time to verdict included) instead of re-diagnosing the recording, and a live
 * recording's "end" event waits until it has been handed over (pages stop listening at "end").
 */
import { EventEmitter } from "node:events";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { inputFromRecording, openRecordingForDoctor } from "../../src/collect/doctor-input.js";
import type { RecordSession } from "../../src/collect/record-session.js";
import { diagnose } from "../../src/diagnose/diagnose.js";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { watchRecordSession } from "../../src/ui/server/live.js";
import { startUiServer, type UiServer } from "../../src/ui/server/server.js";
import type { DiagnosisView, LiveEvent } from "../../src/ui/shared/api-types.js";

const demo = path.resolve(import.meta.dirname, "../../assets/demo/leaky-service.hsrec");

function diagnoseDemo(): Diagnosis {
  const reader = openRecordingForDoctor(demo);
  try {
    return diagnose(inputFromRecording(reader));
  } finally {
    reader.close();
  }
}

let server: UiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("a diagnosis handed to the UI", () => {
  it("is what the doctor page gets, decision and time to verdict included", async () => {
    server = await startUiServer({ inputs: [demo], warm: false, diagnosisWorker: false });
    const base = server.url.replace(/\/$/, "");
    const own = (await (await fetch(`${base}/api/diagnosis?src=0&t=0`)).json()) as DiagnosisView;
    expect(own.decision?.look).toBeUndefined();

    const printed = diagnoseDemo();
    printed.decision = {
      mode: "auto",
      timeToVerdictSeconds: 25.1,
      observedSeconds: 25.1,
      samplingIntervalSeconds: 1,
      look: { index: 4, of: 13, atSeconds: 25, alphaShare: 0.025 },
    };
    printed.summary = `${printed.summary} (as printed)`;
    server.adoptDiagnosis(printed);
    const shown = (await (await fetch(`${base}/api/diagnosis?src=0&t=1`)).json()) as DiagnosisView;
    expect(shown.decision).toEqual(printed.decision);
    expect(shown.summary).toBe(printed.summary);
    expect(shown.verdict).toBe(printed.verdict);
    expect(shown.suspects.map((s) => s.function)).toEqual(printed.suspects.map((s) => s.function));
  });

  it("a live recording's end event waits for the hand-over", async () => {
    server = await startUiServer({ live: true, warm: false, diagnosisWorker: false });
    const published: LiveEvent[] = [];
    const live = server;
    const publish = live.publish.bind(live);
    live.publish = (event) => {
      published.push(event);
      publish(event);
    };
    const session = new EventEmitter() as unknown as RecordSession;
    let handOver = () => {};
    const handedOver = new Promise<void>((resolve) => {
      handOver = resolve;
    });
    watchRecordSession(live, session, { endAfter: handedOver });
    session.emit("started", { path: demo, probes: [] });
    session.emit("finished");
    await new Promise((r) => setTimeout(r, 20));
    expect(published.map((e) => e.type)).not.toContain("end");
    live.adoptDiagnosis(diagnoseDemo());
    handOver();
    await handedOver;
    await new Promise((r) => setTimeout(r, 0));
    expect(published.map((e) => e.type)).toContain("end");
  });
});
