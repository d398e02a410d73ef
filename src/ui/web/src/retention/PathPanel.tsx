/** The shortest retaining path standing for the selected group, root first. */
import { formatBytes } from "../../../../model/units.js";
import type { RetentionPathWire } from "../../../shared/retention-wire.js";
import { useJson } from "../use-json.js";

function rootKindLabel(kind: string): string {
  return kind === "runtime" ? "runtime-internal root" : `${kind} root`;
}

export function PathPanel({ src, node, name }: { src: string; node: number; name: string }) {
  const path = node > 0 ? `/api/retention/path?src=${encodeURIComponent(src)}&node=${node}` : null;
  const { data, error } = useJson<RetentionPathWire>(path, "retention-path");
  if (node <= 0) return <p class="hint">Select a group to see the path that keeps it alive.</p>;
  if (error) return <div class="error">{error}</div>;
  if (!data || data.node !== node) return <div class="loading">Finding the path…</div>;
  return (
    <section class="retention-path" aria-label="Retaining path">
      <h3>
        Retaining path of <span class="fn-name">{name}</span>
      </h3>
      {data.roots.length === 0 && data.steps.length === 0 ? (
        <p class="muted">No single path: several roots keep this group together.</p>
      ) : (
        <ol class="path-steps">
          {data.roots.map((r, k) => (
            <li key={`r${k}`} data-step="root">
              <span class="fn-name">{r.label}</span> <span class="muted">({rootKindLabel(r.kind)})</span>
            </li>
          ))}
          {data.steps.map((s, k) => (
            <li key={`s${k}`} data-step="object">
              <span class="muted">at +{s.offset}</span>
              {s.field && <span class="fn-name"> {s.field}</span>} → {formatBytes(s.bytes)} object
              {s.type && <span class="fn-name"> {s.type}</span>}
              {s.site ? (
                <span>
                  , allocated in <span class="fn-name">{s.site}</span>
                </span>
              ) : (
                <span class="muted"> (allocation not sampled)</span>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
