/**
 * `heapscope export`: a recording's contents as ordinary files that other tools read
 * (`go tool pprof heap-0001.pb.gz`, a gctrace log for gcvis-style tools, JSON lines for scripts).
 * Heap snapshots are numbered as `FILE#N` numbers them.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { RecordingError } from "../errors.js";
import { isGzip, looksBinary } from "../formats/sniff.js";
import type { GcCycleRecord } from "../model/recording.js";
import { openRecording } from "./recording-reader.js";

export interface ExportedFile {
  file: string;
  kind: string;
  /** Position within its kind (1-based), when numbered. */
  n?: number;
  atMs?: number;
}

export interface ExportResult {
  dir: string;
  files: ExportedFile[];
  manifestPath: string;
}

export function exportRecording(recordingPath: string, dir: string): ExportResult {
  const recording = openRecording(recordingPath);
  const files: ExportedFile[] = [];
  try {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new RecordingError(
        `${dir}: cannot create the directory (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    const write = (name: string, data: Uint8Array | string, entry: Omit<ExportedFile, "file">) => {
      writeFileSync(path.join(dir, name), data);
      files.push({ file: name, ...entry });
    };
    const number = (n: number) => String(n).padStart(4, "0");

    for (const snapshot of recording.heapSnapshots()) {
      if (snapshot.index === null) continue;
      const bytes = recording.heapSnapshotBytes(String(snapshot.index));
      write(`heap-${number(snapshot.index)}${profileExtension(bytes)}`, bytes, {
        kind: "heap",
        n: snapshot.index,
        atMs: snapshot.atMs,
      });
    }
    const goroutineKinds = [
      ["profile", "goroutine"],
      ["dump", "goroutine-debug2"],
      ["leak", "goroutineleak"],
    ] as const;
    for (const [kind, prefix] of goroutineKinds) {
      let n = 0;
      for (const snapshot of recording.goroutineSnapshots(kind)) {
        if (snapshot.thinned) continue;
        n++;
        const bytes = recording.goroutineSnapshotBytes(snapshot.id);
        const extension = kind === "dump" ? ".txt" : profileExtension(bytes);
        write(`${prefix}-${number(n)}${extension}`, bytes, { kind: prefix, n, atMs: snapshot.atMs });
      }
    }

    const cycles = recording.gcCycles({ allProcesses: true });
    if (cycles.length > 0) {
      write("gctrace.log", `${cycles.map(gcTraceLine).join("\n")}\n`, { kind: "gctrace" });
    }
    const memstats = recording.memstatsSamples();
    if (memstats.length > 0) {
      const lines = memstats.map((m) => JSON.stringify({ atMs: m.atMs, source: m.source, ...m.sample }));
      write("memstats.jsonl", `${lines.join("\n")}\n`, { kind: "memstats" });
    }
    let rawIndex = 0;
    for (const raw of recording.memstatsRawResponses()) {
      rawIndex++;
      const name =
        raw.source === "expvar" ? `vars-${number(rawIndex)}.json` : `metrics-${number(rawIndex)}.txt`;
      write(name, raw.bytes, {
        kind: raw.source === "expvar" ? "vars" : "metrics",
        n: rawIndex,
        atMs: raw.atMs,
      });
    }
    const samples = recording.samples();
    if (samples.length > 0) {
      const rows = samples.map((s) =>
        [
          s.id,
          new Date(s.startedMs).toISOString(),
          s.rssBytes ?? "",
          s.cpuSeconds ?? "",
          s.rssPid ?? "",
        ].join("\t"),
      );
      write("samples.tsv", `sample\ttime\trss_bytes\tcpu_seconds\tpid\n${rows.join("\n")}\n`, {
        kind: "samples",
      });
    }
    const errors = recording.errors();
    if (errors.length > 0) {
      write("errors.jsonl", `${errors.map((e) => JSON.stringify(e)).join("\n")}\n`, { kind: "errors" });
    }
    const summary = recording.summary();
    const manifestPath = path.join(dir, "manifest.json");
    writeFileSync(
      manifestPath,
      `${JSON.stringify({ recording: path.resolve(recordingPath), summary, gaps: recording.gaps(), files }, null, 2)}\n`,
    );
    return { dir, files, manifestPath };
  } finally {
    recording.close();
  }
}

function profileExtension(bytes: Uint8Array): string {
  if (isGzip(bytes)) return ".pb.gz";
  return looksBinary(bytes) ? ".pb" : ".txt";
}

/** The line as the runtime printed it, or rebuilt from the parsed fields when it was not kept. */
export function gcTraceLine(cycle: GcCycleRecord): string {
  if (cycle.line) return cycle.line;
  const f = cycle.fields as {
    cpuPercentCumulative?: number;
    clockMs?: number[];
    cpuMs?: number[];
    heapStartBytes?: number;
    heapEndBytes?: number;
    stacksBytes?: number;
    globalsBytes?: number;
    procs?: number;
    annotations?: string[];
  };
  const mb = (bytes: number | null | undefined) => Math.floor((bytes ?? 0) / (1024 * 1024));
  const clock = (f.clockMs ?? []).join("+");
  const cpu = f.cpuMs ?? [];
  const cpuText =
    cpu.length === 7
      ? `${cpu[0]}+${cpu[1]}+${cpu[2]}+${cpu[3]}/${cpu[4]}/${cpu[5]}+${cpu[6]}`
      : `${cpu[0]}+${cpu[1]}/${cpu[2]}/${cpu[3]}+${cpu[4]}`;
  const stacks =
    f.stacksBytes !== undefined ? `${mb(f.stacksBytes)} MB stacks, ${mb(f.globalsBytes)} MB globals, ` : "";
  const notes = [...(cycle.forced ? ["forced"] : []), ...(f.annotations ?? [])]
    .map((a) => ` (${a})`)
    .join("");
  return (
    `gc ${cycle.cycle} @${cycle.atSeconds ?? 0}s ${f.cpuPercentCumulative ?? 0}%: ${clock} ms clock, ${cpuText} ms cpu, ` +
    `${mb(f.heapStartBytes)}->${mb(f.heapEndBytes)}->${mb(cycle.liveHeapBytes)} MB, ${mb(cycle.goalBytes)} MB goal, ` +
    `${stacks}${f.procs ?? 0} P${notes}`
  );
}
