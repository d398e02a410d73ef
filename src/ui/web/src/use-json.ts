import { useEffect, useRef, useState } from "preact/hooks";
import { getJson, takePrefetchedJson, takeReadyJson } from "./api.js";
import { markLoaded } from "./test-hook.js";

interface JsonResult<T> {
  path: string | null;
  data: T | null;
  error: string | null;
}

/** Fetches JSON for a path (null: nothing yet); aborts when the path changes. */
export function useJson<T>(
  path: string | null,
  view: string,
): { data: T | null; error: string | null; loading: boolean } {
  // A response prefetched by main.tsx that already arrived is used in this very render.
  const [result, setResult] = useState<JsonResult<T>>(() => {
    const data = path === null ? undefined : takeReadyJson<T>(path);
    return data !== undefined ? { path, data, error: null } : { path: null, data: null, error: null };
  });
  const current = useRef(result);
  current.current = result;
  useEffect(() => {
    if (path === null) return;
    if (current.current.path === path) {
      markLoaded(view);
      return;
    }
    const controller = new AbortController();
    (takePrefetchedJson<T>(path) ?? getJson<T>(path, controller.signal))
      .then((data) => {
        if (controller.signal.aborted) return;
        setResult({ path, data, error: null });
        markLoaded(view);
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted)
          setResult({ path, data: null, error: (error as Error).message ?? String(error) });
      });
    return () => controller.abort();
  }, [path]);
  return { data: result.data, error: result.error, loading: result.path !== path };
}
