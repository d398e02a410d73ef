/**
 * Pan and zoom for the call graph's SVG by its viewBox: the wheel zooms around the pointer, a drag
 * pans, and the keyboard does both (arrows pan, + and − zoom, 0 fits). The graph starts centred, at
 * most at its natural size; `centreOn` brings one node to the middle.
 */

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const MIN_SCALE = 0.05;
const MAX_SCALE = 8;
const KEY_PAN = 0.1;
const KEY_ZOOM = 1.25;

export interface PanZoom {
  fit(): void;
  zoom(factor: number, cx?: number, cy?: number): void;
  pan(dx: number, dy: number): void;
  centreOn(x: number, y: number): void;
  /** Screen pixels per graph unit. */
  scale(): number;
  dispose(): void;
}

export function attachPanZoom(svg: SVGSVGElement, graph: Box): PanZoom {
  let view: Box = { ...graph };
  const viewport = () => {
    const r = svg.getBoundingClientRect();
    return { width: Math.max(1, r.width), height: Math.max(1, r.height), left: r.left, top: r.top };
  };
  const apply = () => svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
  const scale = () => viewport().width / view.w;
  const setScale = (s: number, cx: number, cy: number) => {
    const { width, height } = viewport();
    const clamped = Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));
    const w = width / clamped;
    const h = height / clamped;
    view = { x: cx - (cx - view.x) * (w / view.w), y: cy - (cy - view.y) * (h / view.h), w, h };
    apply();
  };
  const api: PanZoom = {
    fit() {
      const { width, height } = viewport();
      const s = Math.min(1, width / graph.w, height / graph.h);
      const w = width / s;
      const h = height / s;
      view = { x: graph.x + graph.w / 2 - w / 2, y: graph.y + graph.h / 2 - h / 2, w, h };
      apply();
    },
    zoom(factor, cx = view.x + view.w / 2, cy = view.y + view.h / 2) {
      setScale(scale() * factor, cx, cy);
    },
    pan(dx, dy) {
      view = { ...view, x: view.x + dx, y: view.y + dy };
      apply();
    },
    centreOn(x, y) {
      view = { ...view, x: x - view.w / 2, y: y - view.h / 2 };
      apply();
    },
    scale,
    dispose() {
      svg.removeEventListener("wheel", onWheel);
      svg.removeEventListener("pointerdown", onDown);
      svg.removeEventListener("keydown", onKey);
    },
  };
  const toGraph = (clientX: number, clientY: number) => {
    const { width, height, left, top } = viewport();
    return {
      x: view.x + ((clientX - left) / width) * view.w,
      y: view.y + ((clientY - top) / height) * view.h,
    };
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const p = toGraph(e.clientX, e.clientY);
    api.zoom(Math.exp(-e.deltaY * 0.0015), p.x, p.y);
  };
  const onDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const start = { x: e.clientX, y: e.clientY, view: { ...view } };
    let moved = false;
    const onMove = (m: PointerEvent) => {
      const k = view.w / viewport().width;
      if (Math.abs(m.clientX - start.x) + Math.abs(m.clientY - start.y) > 3) moved = true;
      view = {
        ...start.view,
        x: start.view.x - (m.clientX - start.x) * k,
        y: start.view.y - (m.clientY - start.y) * k,
      };
      apply();
    };
    const onUp = () => {
      window.removeEventListener("pointermove", onMove);
      window.removeEventListener("pointerup", onUp);
      // A drag is not a click on the node under the pointer.
      if (!moved) return;
      const swallow = (c: MouseEvent) => c.stopPropagation();
      svg.addEventListener("click", swallow, { capture: true, once: true });
      window.setTimeout(() => svg.removeEventListener("click", swallow, { capture: true }), 0);
    };
    window.addEventListener("pointermove", onMove);
    window.addEventListener("pointerup", onUp);
  };
  const onKey = (e: KeyboardEvent) => {
    const step = KEY_PAN * view.w;
    const moves: Record<string, () => void> = {
      ArrowLeft: () => api.pan(-step, 0),
      ArrowRight: () => api.pan(step, 0),
      ArrowUp: () => api.pan(0, -step),
      ArrowDown: () => api.pan(0, step),
      "+": () => api.zoom(KEY_ZOOM),
      "=": () => api.zoom(KEY_ZOOM),
      "-": () => api.zoom(1 / KEY_ZOOM),
      "0": () => api.fit(),
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    move();
  };
  svg.addEventListener("wheel", onWheel, { passive: false });
  svg.addEventListener("pointerdown", onDown);
  svg.addEventListener("keydown", onKey);
  api.fit();
  return api;
}
