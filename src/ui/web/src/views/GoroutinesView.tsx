/** Goroutine dump: groups of goroutines with the same stack and state, searchable. */
import { useMemo, useState } from "preact/hooks";
import type { GoroutineReport } from "../../../shared/api-types.js";
import { regexEscape } from "../format.js";
import { useJson } from "../use-json.js";

export function GoroutinesView({ src }: { src: string }) {
  const { data, error } = useJson<GoroutineReport>(
    `/api/goroutines?src=${encodeURIComponent(src)}`,
    "goroutines",
  );
  const [query, setQuery] = useState("");
  const groups = useMemo(() => {
    if (!data) return [];
    if (!query) return data.groups;
    let pattern: RegExp;
    try {
      pattern = new RegExp(query, "i");
    } catch {
      pattern = new RegExp(regexEscape(query), "i");
    }
    return data.groups.filter(
      (g) =>
        pattern.test(g.state) ||
        pattern.test(g.createdBy) ||
        g.frames.some((f) => pattern.test(f.function) || pattern.test(f.file)),
    );
  }, [data, query]);
  if (error) return <div class="error">{error}</div>;
  if (!data) return <div class="loading">Loading…</div>;
  const shown = groups.reduce((sum, g) => sum + g.count, 0);
  return (
    <div class="goroutines-view">
      <div class="toolbar">
        <input
          type="search"
          placeholder="Search stacks, states, creators (regex)"
          aria-label="Search goroutines"
          value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
        />
        <span class="toolbar-info">
          {shown} of {data.total} goroutines in {groups.length} of {data.groups.length} groups
        </span>
      </div>
      <div class="states">
        {Object.entries(data.states)
          .sort((a, b) => b[1] - a[1])
          .map(([state, count]) => (
            <span class="state-chip" key={state}>
              {state}: {count}
            </span>
          ))}
      </div>
      {groups.map((group, k) => (
        <details class="goroutine-group" key={k} open={k < 10}>
          <summary>
            <strong>{group.count}</strong> goroutine{group.count === 1 ? "" : "s"} ·{" "}
            {group.state || "unknown state"}
            {group.waitMinutes !== null ? ` · ${group.waitMinutes} minutes` : ""} ·{" "}
            <span class="fn-name">{group.frames[0]?.function ?? "(no frames)"}</span>
          </summary>
          <ol class="stack">
            {group.frames.map((frame, j) => (
              <li key={j}>
                <span class="fn-name">{frame.function}</span>
                <span class="muted">
                  {" "}
                  {frame.file}
                  {frame.line ? `:${frame.line}` : ""}
                </span>
              </li>
            ))}
          </ol>
          {group.createdBy && <p class="muted">created by {group.createdBy}</p>}
        </details>
      ))}
    </div>
  );
}
