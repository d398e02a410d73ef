/**
 * Doctor's last step when it launched the program with the heap-dump hook: read the dump taken at the
 * end of the observation, name its roots with the built binary, and add the holders and each heap
 * suspect's heldBy to the diagnosis. The dump's cost is reported apart from the verdict's.
 */
import type { DoctorDumps } from "../../collect/doctor-heap-dumps.js";
import type { Diagnosis } from "../../diagnose/types.js";

export async function addRetention(diagnosis: Diagnosis, dumps: DoctorDumps): Promise<Diagnosis> {
  const dump = dumps.result;
  if (!dump) return { ...diagnosis, notes: [...diagnosis.notes, `Holders unknown: ${dumps.problem}.`] };
  const { readHeapDump } = await import("../../formats/heapdump/read-heap-dump.js");
  const { symbolsForDump } = await import("../../collect/heap-dump-source.js");
  const { analyzeRetention, attachRetention } = await import("../../diagnose/holders/index.js");
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
  const resolver = symbolsForDump(dump.binary, parsed);
  const analysis = analyzeRetention(parsed, { resolver });
  const withHolders = attachRetention(diagnosis, analysis);
  const analysisMs = performance.now() - started;
  const mb = (dump.bytes.length / 1e6).toFixed(1);
  const cost = `Heap dump (${dump.goVersion}): ${mb} MB, GC ${Math.round(dump.gcMs)} ms + write ${Math.round(dump.dumpMs)} ms in the program, ${Math.round(dump.wallMs)} ms to fetch, ${Math.round(analysisMs)} ms to analyse; taken after the observation, so not part of the time to the verdict.`;
  return { ...withHolders, notes: [...withHolders.notes, cost] };
}
