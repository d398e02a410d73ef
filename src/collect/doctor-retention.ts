/**
 * Doctor's last step when it launched the program with the heap-dump hook: read the dump taken at the
 * end of the observation, name its roots with the built binary, type them with its DWARF, and add
 * the holders, each heap suspect's heldBy and the slice findings (as hints) to the diagnosis. The
 * dump's cost is reported apart from the verdict's, with what types added to the analysis.
 */
import { attachRetention } from "../diagnose/holders/index.js";
import type { Diagnosis } from "../diagnose/types.js";
import { readHeapDump } from "../formats/heapdump/read-heap-dump.js";
import type { DoctorDumps } from "./doctor-heap-dumps.js";
import { analyzeHeapDumpRetention } from "./heap-dump-retention.js";

export async function addRetention(diagnosis: Diagnosis, dumps: DoctorDumps): Promise<Diagnosis> {
  const dump = dumps.result;
  if (!dump) return { ...diagnosis, notes: [...diagnosis.notes, `Holders unknown: ${dumps.problem}.`] };
  const started = performance.now();
  let parsed: ReturnType<typeof readHeapDump>;
  try {
    parsed = readHeapDump(dump.bytes);
  } catch (error) {
    const problem = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return {
      ...diagnosis,
      notes: [...diagnosis.notes, `Holders unknown: the heap dump did not read (${problem}).`],
    };
  }
  const readMs = performance.now() - started;
  const sourcePath = dumps.sourcePath;
  // Read while the program ran; what is left of it (usually nothing) counts as analysis time.
  const waitStarted = performance.now();
  const dwarf = await dumps.dwarf;
  const waitMs = performance.now() - waitStarted;
  const analysis = analyzeHeapDumpRetention(parsed, {
    binary: dump.binary,
    dwarf,
    ...(sourcePath ? { sourcePath } : {}),
  });
  const withHolders = attachRetention(diagnosis, analysis);
  const ms = (n: number) => Math.round(n);
  const { retentionMs, typesMs } = analysis.timings;
  const dwarfMs = analysis.timings.dwarfMs + waitMs;
  const mb = (dump.bytes.length / 1e6).toFixed(1);
  const types = analysis.summary.types
    ? ` (read ${ms(readMs)} ms, holders ${ms(retentionMs)} ms, DWARF ${ms(dwarfMs)} ms after reading it during the observation, types ${ms(typesMs)} ms)`
    : "";
  const cost = `Heap dump (${dump.goVersion}): ${mb} MB, GC ${ms(dump.gcMs)} ms + write ${ms(dump.dumpMs)} ms in the program, ${ms(dump.wallMs)} ms to fetch, ${ms(readMs + retentionMs + dwarfMs + typesMs)} ms to analyse${types}; taken after the observation, so not part of the time to the verdict.`;
  return { ...withHolders, notes: [...withHolders.notes, cost] };
}
