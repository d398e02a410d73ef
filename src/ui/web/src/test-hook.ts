/**
 * `window.__heapscope`: what the page drew, for the browser tests and the benchmark. Read-only
 * views of state the UI already has; nothing here changes behaviour.
 */
import type { DrawnRect, FlameRenderer, RedrawTiming } from "./flame/renderer.js";

export interface FlameHook {
  rects(): DrawnRect[];
  view(): { x0: number; x1: number; focused: number; width: number };
  nodeCount: number;
  rootWeight: number;
  timings(): RedrawTiming[];
  drawCount(): number;
  zoomToNode(node: number): void;
  /** Client coordinates of the centre of a drawn node, for real mouse clicks. */
  pointOf(node: number): { x: number; y: number } | null;
}

export interface HeapscopeHook {
  flames: Record<string, FlameHook>;
  /** Content-Security-Policy violations seen by the page. */
  cspViolations: string[];
  /** Set when a view finished loading its data (name of the view). */
  loaded: Record<string, number>;
  /** Time (ms since navigation start) the first flame graph was drawn into its canvas. */
  firstFlameDrawn: number | null;
  /** Time (ms since navigation start) after the frame with the first flame graph was presented. */
  firstFlamePaint: number | null;
}

declare global {
  interface Window {
    __heapscope: HeapscopeHook;
  }
}

export const hook: HeapscopeHook = {
  flames: {},
  cspViolations: [],
  loaded: {},
  firstFlameDrawn: null,
  firstFlamePaint: null,
};
window.__heapscope = hook;

document.addEventListener("securitypolicyviolation", (event) => {
  hook.cspViolations.push(`${event.violatedDirective}: ${event.blockedURI}`);
});

export function markLoaded(view: string): void {
  hook.loaded[view] = (hook.loaded[view] ?? 0) + 1;
}

export function registerFlame(id: string, renderer: FlameRenderer): () => void {
  hook.flames[id] = {
    rects: () => renderer.drawnRects(),
    view: () => renderer.view(),
    get nodeCount() {
      return renderer.getData()?.nodeCount ?? 0;
    },
    get rootWeight() {
      return renderer.getData()?.weight[0] ?? 0;
    },
    timings: () => renderer.timings.slice(),
    drawCount: () => renderer.drawCount,
    zoomToNode: (node: number) => renderer.zoomToNode(node),
    pointOf: (node: number) => {
      const rect = renderer.drawnRects().find((r) => r.node === node);
      if (!rect) return null;
      const box = renderer.canvas.getBoundingClientRect();
      return { x: box.left + rect.drawnX + rect.drawnWidth / 2, y: box.top + rect.y + 9 };
    },
  };
  return () => {
    delete hook.flames[id];
  };
}
