// Writes samples into a recording until killed; used to prove a SIGKILLed writer leaves a readable file.

import { randomBytes } from "node:crypto";
import { RecordingWriter } from "../../../src/store/recording-writer.js";

const path = process.argv[2]!;
const writer = RecordingWriter.create(path, {
  target: {
    url: "http://127.0.0.1:1",
    endpoints: {},
    headerNames: [],
    command: null,
    cmdline: null,
    pid: null,
    goVersion: null,
    hostname: "test",
  },
  settings: {
    intervalMs: 1,
    durationMs: null,
    forceGc: true,
    dumpEvery: 10,
    keepVars: false,
    maxSizeBytes: 1 << 30,
    requestTimeoutMs: 1000,
  },
  heapscopeVersion: "test",
});
const pause = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  const now = Date.now();
  writer.writeSample({
    startedMs: now,
    finishedMs: now,
    final: false,
    heap: { bytes: randomBytes(200_000), gcForced: true, summary: null },
    memstats: [{ source: "expvar", sample: { fields: { HeapAlloc: 1 } } }],
    errors: [],
  });
  // A short pause, as a real interval has: a writer spinning flat out on a loaded machine can starve
  // the test's read-only connection for longer than its deadline.
  Atomics.wait(pause, 0, 0, 5);
}
