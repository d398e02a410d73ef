/**
 * A binary's Go types from its DWARF, now or in the background. Doctor starts the background read
 * as soon as it has built the program, so the DWARF is parsed in a worker thread while the program is
 * observed and costs nothing once the heap dump arrives. A DWARF that does not read gives no types and
 * a one-line reason (Retention I's holders still stand); a worker that cannot start (heapscope run
 * from its TypeScript sources) falls back to reading in this thread.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { InputError } from "../errors.js";
import { readGoDwarf } from "../formats/dwarf/go-dwarf.js";
import type { GoTypeTable } from "../model/go-types.js";

export interface GoDwarfResult {
  /** Null: no DWARF (linked with -w or stripped), or it did not read (`problem`). */
  table: GoTypeTable | null;
  problem?: string;
  /** Where it was read: a worker thread, or this one (no worker could start). */
  readIn: "worker" | "main";
}

export function readGoDwarfNow(binary: string): GoDwarfResult {
  return readGoDwarfBytes(new Uint8Array(readFileSync(binary)), binary);
}

/** `name` says where the bytes came from (a path, or a recording's kept binary). */
export function readGoDwarfBytes(bytes: Uint8Array, name: string): GoDwarfResult {
  try {
    return { table: readGoDwarf(bytes, name), readIn: "main" };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { table: null, problem: `types unknown: ${error.message}`, readIn: "main" };
  }
}

export function readGoDwarfInBackground(binary: string): Promise<GoDwarfResult> {
  const entry = new URL("./go-dwarf-worker.js", import.meta.url);
  if (!existsSync(fileURLToPath(entry))) return Promise.resolve().then(() => readGoDwarfNow(binary));
  return new Promise((resolve) => {
    let settled = false;
    const fallBack = () => {
      if (settled) return;
      settled = true;
      resolve(readGoDwarfNow(binary));
    };
    let worker: Worker;
    try {
      worker = new Worker(entry, { workerData: { binary } });
    } catch {
      fallBack();
      return;
    }
    // Never keeps heapscope alive: a report that ends early just drops the read.
    worker.unref();
    worker.once("message", (result: Omit<GoDwarfResult, "readIn">) => {
      settled = true;
      resolve({ ...result, readIn: "worker" });
    });
    worker.once("error", fallBack);
    worker.once("exit", fallBack);
  });
}
