/**
 * Flame trees by API path: downloaded and decoded as soon as the bytes arrive, before (and
 * independently of) the view that shows them, so the first paint waits on nothing else. main.tsx
 * starts the download of the page's first tree before the UI renders (the server also asked the
 * browser to preload it with the page); the view takes it once, synchronously when it is ready.
 */
import { getBinary } from "../api.js";
import { decodeFlame, type FlameData } from "./data.js";

interface Prefetched {
  promise: Promise<FlameData>;
  data: FlameData | null;
}

const prefetched = new Map<string, Prefetched>();

function fetchFlame(path: string, signal?: AbortSignal): Promise<FlameData> {
  return getBinary(path, signal).then((buffer) => {
    performance.mark("heapscope:flame-fetched");
    const data = decodeFlame(buffer);
    performance.mark("heapscope:flame-decoded");
    return data;
  });
}

/** Starts downloading and decoding the tree at `path` for the view that will ask for it. */
export function prefetchFlame(path: string): void {
  if (prefetched.has(path)) return;
  const entry: Prefetched = { promise: fetchFlame(path), data: null };
  entry.promise.then(
    (data) => {
      entry.data = data;
    },
    () => {},
  );
  prefetched.set(path, entry);
}

/** The prefetched tree at `path` if it is already decoded (then it is handed out only once). */
export function takeReadyFlame(path: string): FlameData | null {
  const entry = prefetched.get(path);
  if (!entry?.data) return null;
  prefetched.delete(path);
  return entry.data;
}

/** The tree at `path`: the prefetched one (handed out once), else a new download. */
export function loadFlame(path: string, signal?: AbortSignal): Promise<FlameData> {
  const entry = prefetched.get(path);
  if (entry) {
    prefetched.delete(path);
    return entry.promise;
  }
  return fetchFlame(path, signal);
}
