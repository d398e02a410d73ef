/**
 * Peek and source open on the function with the most flat weight when no regex is given, instead
 * of an empty form: the URL gets its exact name (replacing the history entry).
 */
import { useEffect } from "preact/hooks";
import type { TopReport } from "../../../shared/api-types.js";
import { regexEscape } from "../format.js";
import { navigate, profileQuery, type UrlState } from "../url-state.js";
import { useJson } from "../use-json.js";

export function useDefaultFunction(state: UrlState): void {
  const { data } = useJson<TopReport>(state.fn ? null : `/api/top?${profileQuery(state)}`, "top");
  useEffect(() => {
    if (state.fn || !data) return;
    let best = data.rows[0];
    for (const row of data.rows) if (best && Math.abs(row.flat) > Math.abs(best.flat)) best = row;
    if (best) navigate({ fn: `^${regexEscape(best.name)}$` }, { replace: true });
  }, [data, state.fn]);
}
