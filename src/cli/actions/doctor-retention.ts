/**
 * Doctor's last step when it launched the program with the heap-dump hook: the holders, typed from
 * the binary's DWARF, added to the diagnosis (collect/doctor-retention.ts, loaded only then).
 */
import type { DoctorDumps } from "../../collect/doctor-heap-dumps.js";
import type { Diagnosis } from "../../diagnose/types.js";

export async function addRetention(diagnosis: Diagnosis, dumps: DoctorDumps): Promise<Diagnosis> {
  const { addRetention: add } = await import("../../collect/doctor-retention.js");
  return add(diagnosis, dumps);
}
