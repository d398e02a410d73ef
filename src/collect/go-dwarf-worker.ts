/**
 * Worker thread entry (go-dwarf-read.ts): reads one binary's DWARF and posts the Go type table back,
 * or the one-line reason it could not.
 */
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { InputError } from "../errors.js";
import { readGoDwarf } from "../formats/dwarf/go-dwarf.js";

const { binary } = workerData as { binary: string };
try {
  parentPort?.postMessage({ table: readGoDwarf(new Uint8Array(readFileSync(binary)), binary) });
} catch (error) {
  if (!(error instanceof InputError)) throw error;
  parentPort?.postMessage({ table: null, problem: `types unknown: ${error.message}` });
}
