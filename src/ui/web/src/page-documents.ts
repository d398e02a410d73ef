/**
 * The kinds of the loaded documents (id → kind), which the server lists in a meta element of the
 * page, so the page knows what it opens on before the workspace arrives.
 */
let kinds: ReadonlyMap<string, string> | null = null;

export function pageDocumentKinds(): ReadonlyMap<string, string> {
  kinds ??= new Map(
    (document.querySelector<HTMLMetaElement>('meta[name="heapscope-documents"]')?.content ?? "")
      .split(",")
      .filter((entry) => entry.includes(":"))
      .map((entry) => entry.split(":", 2) as [string, string]),
  );
  return kinds;
}
