/**
 * The doctor page's data, asked for as the page's script starts (main.tsx): on a day-long recording
 * the server takes a few hundred milliseconds for the timelines and seconds for the diagnosis, so
 * both start before the UI has rendered. DoctorView asks for the very same paths and takes them.
 */
import { prefetchJson } from "../api.js";

export function diagnosisApiPath(src: string, tick: number): string {
  return `/api/diagnosis?src=${encodeURIComponent(src)}&t=${tick}`;
}

export function timelineApiPath(src: string, tick: number): string {
  return `/api/timeline?src=${encodeURIComponent(src)}&t=${tick}`;
}

/** The recording a page with these URL parameters opens the doctor on, or null. `kinds`: id → kind. */
export function doctorDocument(
  get: (key: string) => string | null,
  kinds: ReadonlyMap<string, string>,
): string | null {
  const view = get("view") ?? "";
  const src = get("src") ?? "";
  if ((view !== "" && view !== "doctor") || src.includes("@")) return null;
  const id = src !== "" && kinds.has(src) ? src : ([...kinds.keys()][0] ?? "");
  return kinds.get(id) === "recording" ? id : null;
}

export function prefetchDoctor(
  get: (key: string) => string | null,
  kinds: ReadonlyMap<string, string>,
): void {
  const id = doctorDocument(get, kinds);
  if (id === null) return;
  prefetchJson(timelineApiPath(id, 0));
  prefetchJson(diagnosisApiPath(id, 0));
}
