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

/**
 * Responses fetched before the UI rendered (started by main.tsx as soon as the script runs),
 * consumed once by the first view that asks for the same path.
 */
const prefetched = new Map<string, Promise<ArrayBuffer>>();

export function prefetchBinary(path: string): void {
  if (!prefetched.has(path)) {
    const promise = getBinary(path);
    promise.catch(() => {});
    prefetched.set(path, promise);
  }
}

export function takePrefetched(path: string): Promise<ArrayBuffer> | undefined {
  const promise = prefetched.get(path);
  prefetched.delete(path);
  return promise;
}

const prefetchedJson = new Map<string, Promise<unknown>>();

/** Starts a JSON request early (main.tsx: the workspace), for the first useJson that asks for it. */
export function prefetchJson(path: string): void {
  if (!prefetchedJson.has(path)) {
    const promise = getJson<unknown>(path);
    promise.catch(() => {});
    prefetchedJson.set(path, promise);
  }
}

export function takePrefetchedJson<T>(path: string): Promise<T> | undefined {
  const promise = prefetchedJson.get(path) as Promise<T> | undefined;
  prefetchedJson.delete(path);
  return promise;
}
