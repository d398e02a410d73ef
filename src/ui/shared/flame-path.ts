/**
 * The flame tree's API path for a page URL, and whether the page opens on a flame graph, shared by
 * the server (which lets the browser preload the tree with the page) and the page (which fetches
 * it): both must build the very same path for the preloaded response to be used.
 */

/** The refine parameters of the profile APIs, in the order they appear in API paths. */
export const PROFILE_PARAMS = ["src", "base", "si", "f", "i", "h", "s", "g"] as const;

export function profileQueryString(
  get: (key: string) => string | null,
  extra: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  for (const key of PROFILE_PARAMS) {
    const value = get(key);
    if (value) params.set(key, value);
  }
  for (const [key, value] of Object.entries(extra)) if (value) params.set(key, value);
  return params.toString();
}

export function flameApiPath(get: (key: string) => string | null): string {
  return `/api/flame?${profileQueryString(get)}`;
}

/** Whether a page with these URL parameters opens on the flame graph. `kinds`: document id → kind. */
export function opensOnFlameGraph(
  get: (key: string) => string | null,
  kinds: ReadonlyMap<string, string>,
): boolean {
  const view = get("view") ?? "";
  const src = get("src") ?? "";
  if (view === "flame") return true;
  if (view !== "") return false;
  const documentId = src ? src.split("@", 1)[0]! : ([...kinds.keys()][0] ?? "");
  const kind = kinds.get(documentId);
  return kind === "profile" || (kind === "recording" && src.includes("@"));
}
