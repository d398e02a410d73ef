/**
 * The call graph (pprof's /graph without a local Graphviz): the server builds DOT with a node cap,
 * Graphviz-in-WebAssembly lays it out in a worker with a timeout, the page draws the result.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import type { CallGraph } from "../../../shared/api-types.js";
import { regexEscape } from "../format.js";
import { markLoaded } from "../test-hook.js";
import { trustedScriptUrl } from "../trusted.js";
import { navigate, profileQuery, type UrlState } from "../url-state.js";
import { useJson } from "../use-json.js";
import workerUrl from "./graph-worker.ts?worker&url";
import { type GraphJson, graphToSvg } from "./xdot-svg.js";

const LAYOUT_TIMEOUT_MS = 20_000;

function layout(dot: string): { promise: Promise<GraphJson>; cancel: () => void } {
  const worker = new Worker(trustedScriptUrl(workerUrl) as string, { type: "module" });
  let timer = 0;
  const promise = new Promise<GraphJson>((resolve, reject) => {
    timer = window.setTimeout(() => {
      worker.terminate();
      reject(new Error(`the layout took longer than ${LAYOUT_TIMEOUT_MS / 1000} s; lower the node count`));
    }, LAYOUT_TIMEOUT_MS);
    worker.onmessage = (event: MessageEvent<{ ok: boolean; json?: GraphJson; error?: string }>) => {
      window.clearTimeout(timer);
      worker.terminate();
      if (event.data.ok && event.data.json) resolve(event.data.json);
      else reject(new Error(event.data.error ?? "layout failed"));
    };
    worker.onerror = (event) => {
      window.clearTimeout(timer);
      worker.terminate();
      reject(new Error(event.message || "the layout worker failed to start"));
    };
  });
  worker.postMessage({ dot });
  return {
    promise,
    cancel: () => {
      window.clearTimeout(timer);
      worker.terminate();
    },
  };
}

export function GraphView({ state }: { state: UrlState }) {
  const [nodeCount, setNodeCount] = useState(80);
  const { data, error } = useJson<CallGraph>(
    `/api/graph?${profileQuery(state, { n: String(nodeCount) })}`,
    "graph-dot",
  );
  const [layoutError, setLayoutError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!data) return;
    setLayoutError(null);
    setBusy(true);
    const job = layout(data.dot);
    job.promise
      .then((json) => {
        const svg = graphToSvg(json, (name) => navigate({ view: "peek", fn: `^${regexEscape(name)}$` }));
        holder.current?.replaceChildren(svg);
        setBusy(false);
        markLoaded("graph");
      })
      .catch((e: Error) => {
        setBusy(false);
        setLayoutError(e.message);
      });
    return () => job.cancel();
  }, [data]);
  if (error) return <div class="error">{error}</div>;
  return (
    <div class="graph-view">
      <div class="toolbar">
        <label>
          <span>Nodes</span>
          <select
            name="n"
            value={String(nodeCount)}
            onChange={(e) => setNodeCount(Number((e.target as HTMLSelectElement).value))}
          >
            {[20, 40, 80, 150].map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {data && (
          <span class="toolbar-info">
            {data.nodeCount} nodes, {data.edgeCount} edges
            {data.droppedNodes > 0 ? ` (${data.droppedNodes} smaller nodes left out)` : ""}
          </span>
        )}
        {busy && <span class="toolbar-info">Laying out…</span>}
      </div>
      {layoutError && <div class="error">Could not lay out the graph: {layoutError}</div>}
      <div class="graph-holder" ref={holder} />
    </div>
  );
}
