/**
 * The view lives in the URL (pprof's parameter names where pprof has one), so a view can be shared
 * or reloaded: src, base, view, si, f, i, h, s, g, fn (a function regex for peek and source),
 * frame (the exact frame name of the sandwich view), q (the flame graph search), root and site
 * (the retention view's root and allocation site), node (the graph view's focused function).
 */
import { useEffect, useState } from "preact/hooks";
import { profileQueryString } from "../../shared/flame-path.js";

export type ViewName =
  | "flame"
  | "sandwich"
  | "top"
  | "peek"
  | "source"
  | "graph"
  | "timeline"
  | "goroutines"
  | "doctor"
  | "retention";

export interface UrlState {
  src: string;
  base: string;
  view: ViewName | "";
  si: string;
  f: string;
  i: string;
  h: string;
  s: string;
  g: string;
  fn: string;
  frame: string;
  q: string;
  /** Retention view: the root to show paths from, and the allocation site (function) to explain. */
  root: string;
  site: string;
  /** Graph view: the node (function) to centre on. */
  node: string;
}

const keys: Array<keyof UrlState> = [
  "src",
  "base",
  "view",
  "si",
  "f",
  "i",
  "h",
  "s",
  "g",
  "fn",
  "frame",
  "q",
  "root",
  "site",
  "node",
];

export function readUrlState(): UrlState {
  const params = new URLSearchParams(location.search);
  const state = {} as UrlState;
  for (const key of keys) (state as unknown as Record<string, string>)[key] = params.get(key) ?? "";
  return state;
}

function toSearch(state: UrlState): string {
  const params = new URLSearchParams();
  for (const key of keys) {
    const value = state[key];
    if (value) params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

const listeners = new Set<() => void>();

/** Changes the URL (a history entry unless `replace`) and re-renders subscribers. */
export function navigate(patch: Partial<UrlState>, options: { replace?: boolean } = {}): void {
  const next = { ...readUrlState(), ...patch };
  const search = toSearch(next);
  if (search === location.search) return;
  if (options.replace) {
    history.replaceState(null, "", `${location.pathname}${search}`);
  } else {
    history.pushState(null, "", `${location.pathname}${search}`);
  }
  for (const listener of listeners) listener();
}

window.addEventListener("popstate", () => {
  for (const listener of listeners) listener();
});

export function useUrlState(): UrlState {
  const [state, setState] = useState(readUrlState);
  useEffect(() => {
    const listener = () => setState(readUrlState());
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return state;
}

/** Query string for the profile APIs: the profile refs and the refine parameters. */
export function profileQuery(state: UrlState, extra: Record<string, string> = {}): string {
  return profileQueryString((key) => (state as unknown as Record<string, string>)[key] ?? null, extra);
}
