/** Fetch helpers: same-origin, the token travels as a cookie. Errors carry the server's message. */

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function check(response: Response): Promise<Response> {
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: string };
    if (body.error) message = body.error;
  } catch {
    // not JSON; keep the status line
  }
  throw new ApiError(response.status, message);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await check(await fetch(path, { signal, credentials: "same-origin" }));
  return (await response.json()) as T;
}

export async function getBinary(path: string, signal?: AbortSignal): Promise<ArrayBuffer> {
  const response = await check(await fetch(path, { signal, credentials: "same-origin" }));
  return response.arrayBuffer();
}

interface PrefetchedJson {
  promise: Promise<unknown>;
  settled: boolean;
  value: unknown;
}

const prefetchedJson = new Map<string, PrefetchedJson>();

/** Starts a JSON request early (main.tsx: what the first view needs), for the first useJson that asks for it. */
export function prefetchJson(path: string): void {
  if (prefetchedJson.has(path)) return;
  const entry: PrefetchedJson = { promise: getJson<unknown>(path), settled: false, value: undefined };
  entry.promise.then(
    (value) => {
      entry.settled = true;
      entry.value = value;
    },
    () => {},
  );
  prefetchedJson.set(path, entry);
}

/** The prefetched response for `path`, if any (handed out once). */
export function takePrefetchedJson<T>(path: string): Promise<T> | undefined {
  const entry = prefetchedJson.get(path);
  prefetchedJson.delete(path);
  return entry?.promise as Promise<T> | undefined;
}

/** The prefetched response for `path` if it already arrived (then it is handed out only once). */
export function takeReadyJson<T>(path: string): T | undefined {
  const entry = prefetchedJson.get(path);
  if (!entry?.settled) return undefined;
  prefetchedJson.delete(path);
  return entry.value as T;
}
