/**
 * The call graph (pprof's /graph without a local Graphviz): the server builds DOT with a node cap,
 * Graphviz-in-WebAssembly lays it out in a worker with a timeout, the page draws the result: labels
 * fitted to their boxes, centred, with pan and zoom; `node` in the URL centres on one function.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import type { CallGraph } from "../../../shared/api-types.js";
import { regexEscape } from "../format.js";
import { markLoaded } from "../test-hook.js";
import { trustedScriptUrl } from "../trusted.js";
import { navigate, profileQuery, type UrlState } from "../url-state.js";
import { useJson } from "../use-json.js";
import { fitNodeLabels } from "./graph-labels.js";
import { attachPanZoom, type PanZoom } from "./graph-pan-zoom.js";
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

/** Lays out, draws, fits labels, attaches pan and zoom, and centres on `focus` when given. */
function useGraphDrawing(
  data: CallGraph | null,
  holder: { current: HTMLDivElement | null },
  focus: string,
): { busy: boolean; layoutError: string | null; controls: PanZoom | null; focusFound: boolean } {
  const [layoutError, setLayoutError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [controls, setControls] = useState<PanZoom | null>(null);
  const [focusFound, setFocusFound] = useState(false);
  useEffect(() => {
    if (!data) return;
    setLayoutError(null);
    setBusy(true);
    const job = layout(data.dot);
    let panZoom: PanZoom | null = null;
    job.promise
      .then((json) => {
        const drawing = graphToSvg(json, (name) => navigate({ view: "peek", fn: `^${regexEscape(name)}$` }));
        const element = holder.current;
        if (!element) return;
        element.replaceChildren(drawing.svg);
        drawing.svg.setAttribute("tabindex", "0");
        drawing.svg.setAttribute("role", "group");
        drawing.svg.setAttribute(
          "aria-label",
          "Call graph: arrow keys pan, + and − zoom, 0 fits; Tab moves between functions, Enter opens one",
        );
        fitNodeLabels(drawing.svg);
        panZoom = attachPanZoom(drawing.svg, drawing.box);
        const target = focus ? drawing.nodes.get(focus) : undefined;
        if (target) {
          const b = target.getBBox();
          panZoom.centreOn(b.x + b.width / 2, b.y + b.height / 2);
          target.classList.add("focused");
          target.focus({ preventScroll: true });
        }
        setFocusFound(target !== undefined);
        setControls(panZoom);
        setBusy(false);
        markLoaded("graph");
      })
      .catch((e: Error) => {
        setBusy(false);
        setLayoutError(e.message);
      });
    return () => {
      job.cancel();
      panZoom?.dispose();
    };
  }, [data, focus]);
  return { busy, layoutError, controls, focusFound };
}

export function GraphView({ state }: { state: UrlState }) {
  const [nodeCount, setNodeCount] = useState(80);
  const { data, error } = useJson<CallGraph>(
    `/api/graph?${profileQuery(state, { n: String(nodeCount) })}`,
    "graph-dot",
  );
  const holder = useRef<HTMLDivElement>(null);
  const { busy, layoutError, controls, focusFound } = useGraphDrawing(data, holder, state.node);
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
        <span class="zoom-buttons">
          <button
            type="button"
            aria-label="Zoom in"
            disabled={!controls}
            onClick={() => controls?.zoom(1.25)}
          >
            +
          </button>
          <button
            type="button"
            aria-label="Zoom out"
            disabled={!controls}
            onClick={() => controls?.zoom(0.8)}
          >
            −
          </button>
          <button type="button" disabled={!controls} onClick={() => controls?.fit()}>
            Fit
          </button>
        </span>
        {data && (
          <span class="toolbar-info">
            {data.nodeCount} nodes, {data.edgeCount} edges
            {data.droppedNodes > 0 ? ` (${data.droppedNodes} smaller nodes left out)` : ""}
          </span>
        )}
        {busy && <span class="toolbar-info">Laying out…</span>}
        {state.node && !busy && data && (
          <span class="toolbar-info">
            {focusFound ? "centred on " : "not among the drawn nodes (raise Nodes): "}
            <span class="fn-name">{state.node}</span>
          </span>
        )}
      </div>
      {layoutError && <div class="error">Could not lay out the graph: {layoutError}</div>}
      <div class="graph-holder" ref={holder} />
    </div>
  );
}
