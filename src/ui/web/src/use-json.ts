import { useEffect, useState } from "preact/hooks";
import { getJson, takePrefetchedJson } from "./api.js";
import { markLoaded } from "./test-hook.js";

/** Fetches JSON for a path (null: nothing yet); aborts when the path changes. */
export function useJson<T>(
  path: string | null,
  view: string,
): { data: T | null; error: string | null; loading: boolean } {
  const [result, setResult] = useState<{ path: string | null; data: T | null; error: string | null }>({
    path: null,
    data: null,
    error: null,
  });
  useEffect(() => {
    if (path === null) return;
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
