/** `window.__heapscopeRetention`: what the icicle drew and selected, for the browser tests. Read-only. */
import type { IcicleRect, IcicleRenderer } from "./icicle.js";

export interface RetentionHook {
  rects(): IcicleRect[];
  pointOf(node: number): { x: number; y: number } | null;
  state(): { selected: number; zoomed: number };
}

declare global {
  interface Window {
    __heapscopeRetention?: RetentionHook;
  }
}

export function registerRetention(
  renderer: IcicleRenderer,
  state: () => { selected: number; zoomed: number },
): () => void {
  window.__heapscopeRetention = {
    rects: () => renderer.drawnRects(),
    pointOf: (node) => renderer.pointOf(node),
    state,
  };
  return () => {
    delete window.__heapscopeRetention;
  };
}
