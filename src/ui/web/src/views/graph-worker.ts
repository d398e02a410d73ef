/**
 * Lays the call graph out with Graphviz (WebAssembly) off the main thread. The page terminates this
 * worker when the layout takes too long. Returns Graphviz's JSON (xdot drawing operations); the page
 * builds SVG elements from it itself, so no markup from here is ever parsed.
 */
import { instance } from "@viz-js/viz";

interface WorkerScope {
  onmessage: ((event: MessageEvent<{ dot: string }>) => void) | null;
  postMessage(message: unknown): void;
}

const scope = self as unknown as WorkerScope;
const vizPromise = instance();

scope.onmessage = async (event) => {
  try {
    const viz = await vizPromise;
    const started = performance.now();
    const json = viz.renderJSON(event.data.dot);
    scope.postMessage({ ok: true, json, ms: performance.now() - started });
  } catch (error) {
    scope.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) });
  }
};
