/**
 * Links from a doctor suspect to the retention view: one per root that holds the suspect's objects
 * (the doctor's heldBy, when it had a heap dump), or one "what holds it" link for a heap suspect
 * without it (the view then says how to get a dump). The URL contract: view=retention&site=FN[&root=R].
 */
import { formatBytes } from "../../../../model/units.js";
import { navigate } from "../url-state.js";

interface RawHolder {
  root?: unknown;
  rootKind?: unknown;
  retainedBytes?: unknown;
}

/** `?src=DOC&view=retention&site=FN[&root=R]`, the link a suspect card gives. */
export function retentionHref(src: string, site: string, root?: string): string {
  const params = new URLSearchParams({ src, view: "retention", site });
  if (root) params.set("root", root);
  return `?${params.toString()}`;
}

function heldByOf(raw: unknown, index: number): { kind: string; holders: RawHolder[] } {
  const suspects = (raw as { suspects?: unknown } | null)?.suspects;
  const suspect = Array.isArray(suspects)
    ? (suspects[index] as Record<string, unknown> | undefined)
    : undefined;
  const holders = Array.isArray(suspect?.heldBy) ? (suspect!.heldBy as RawHolder[]) : [];
  return { kind: typeof suspect?.kind === "string" ? suspect.kind : "", holders };
}

export function HeldByLinks({
  raw,
  index,
  functionName,
}: {
  raw: unknown;
  index: number;
  functionName: string | null;
}) {
  const { kind, holders } = heldByOf(raw, index);
  if (!functionName || kind === "goroutines") return null;
  const go = (root: string) => (e: MouseEvent) => {
    e.preventDefault();
    navigate({ view: "retention", site: functionName, root });
  };
  const src = new URLSearchParams(location.search).get("src") ?? "";
  if (holders.length === 0) {
    return (
      <div class="held-by">
        <a href={retentionHref(src, functionName)} class="link small" onClick={go("")}>
          what holds it
        </a>
      </div>
    );
  }
  return (
    <div class="held-by">
      held by{" "}
      {holders.map((h, k) => {
        const root = typeof h.root === "string" ? h.root : "";
        const bytes = typeof h.retainedBytes === "number" ? ` (${formatBytes(h.retainedBytes)})` : "";
        return (
          <span key={k}>
            {k > 0 && ", "}
            <a href={retentionHref(src, functionName, root)} class="link small" onClick={go(root)}>
              {root}
              {h.rootKind === "runtime" ? " (runtime-internal)" : ""}
            </a>
            {bytes}
          </span>
        );
      })}
    </div>
  );
}
