import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { formatCount, formatQuantity, formatSignedQuantity } from "../../../../model/units.js";
import { formatShare, regexEscape } from "../format.js";
import { hook, markLoaded, registerFlame } from "../test-hook.js";
import { navigate, profileQuery, type UrlState } from "../url-state.js";
import { DIFF_LEGEND } from "./colors.js";
import { type FlameData, fileOf, nameOf, pathTo, selfValue } from "./data.js";
import { keyMoves, moveFrom } from "./keyboard.js";
import { loadFlame, takeReadyFlame } from "./load.js";
import { FlameRenderer } from "./renderer.js";

interface Hover {
  id: string;
  node: number;
  x: number;
  y: number;
}

interface Menu {
  id: string;
  node: number;
  x: number;
  y: number;
}

/** Compiles the search box: a regex when it is one, else a literal, case-insensitive. */
function searchPattern(text: string): RegExp | null {
  if (!text) return null;
  try {
    return new RegExp(text, "i");
  } catch {
    return new RegExp(regexEscape(text), "i");
  }
}

export function flamePath(state: UrlState, extra: Record<string, string> = {}): string {
  return `/api/flame?${profileQuery(state, extra)}`;
}

interface FlameResult {
  path: string | null;
  data: FlameData | null;
  error: string | null;
}

function useFlameData(path: string | null): {
  data: FlameData | null;
  error: string | null;
  loading: boolean;
} {
  // A tree decoded before the view rendered is used in this very render: no extra frame.
  const [result, setResult] = useState<FlameResult>(() => {
    const data = path === null ? null : takeReadyFlame(path);
    return data ? { path, data, error: null } : { path: null, data: null, error: null };
  });
  const current = useRef(result);
  current.current = result;
  // A layout effect, so the request is subscribed to now rather than after the next paint.
  useLayoutEffect(() => {
    if (path === null || current.current.path === path) return;
    const controller = new AbortController();
    loadFlame(path, controller.signal)
      .then((data) => {
        if (!controller.signal.aborted) setResult({ path, data, error: null });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted)
          setResult({ path, data: null, error: String((error as Error).message ?? error) });
      });
    return () => controller.abort();
  }, [path]);
  return { data: result.data, error: result.error, loading: result.path !== path };
}

interface CanvasProps {
  id: string;
  data: FlameData;
  inverted?: boolean;
  search: RegExp | null;
  onHover: (hover: Hover | null) => void;
  onMenu: (menu: Menu) => void;
  onSearchResult?: (result: { matchedWeight: number; matchedFrames: number }) => void;
  onFocusChange?: (node: number) => void;
  /** The keyboard's frame changed (null: none yet). */
  onCursor?: (node: number) => void;
  className?: string;
  /** Accessible name of the graph. */
  label: string;
}

function FlameCanvas(props: CanvasProps) {
  const ref = useRef<HTMLDivElement>(null);
  const rendererRef = useRef<FlameRenderer | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  // Layout effects: the canvas is created and drawn before the browser paints, not a frame later.
  useLayoutEffect(() => {
    const renderer = new FlameRenderer(ref.current!, {
      inverted: props.inverted,
      onHover: (node, x, y) => propsRef.current.onHover(node === null ? null : { id: props.id, node, x, y }),
      onClick: (node) => {
        renderer.zoomToNode(node);
      },
      onContextMenu: (node, x, y) => propsRef.current.onMenu({ id: props.id, node, x, y }),
      onViewChange: () => propsRef.current.onFocusChange?.(renderer.view().focused),
    });
    rendererRef.current = renderer;
    const unregister = registerFlame(props.id, renderer);
    return () => {
      unregister();
      renderer.destroy();
      rendererRef.current = null;
    };
  }, [props.id, props.inverted]);
  useLayoutEffect(() => {
    const renderer = rendererRef.current!;
    if (props.id === "main" && hook.firstFlameDrawn === null) {
      renderer.onFirstPaint = () => {
        performance.mark("heapscope:flame-drawn");
        hook.firstFlameDrawn = performance.now();
        // The frame with the drawing is presented after this task; a task queued from the next
        // animation frame runs once it has been.
        requestAnimationFrame(() =>
          setTimeout(() => {
            performance.mark("heapscope:flame-painted");
            hook.firstFlamePaint = performance.now();
          }, 0),
        );
      };
    }
    renderer.setData(props.data);
    const result = renderer.setSearch(propsRef.current.search);
    propsRef.current.onSearchResult?.(result);
    propsRef.current.onFocusChange?.(0);
    markLoaded(`flame:${props.id}`);
  }, [props.data]);
  useEffect(() => {
    const result = rendererRef.current!.setSearch(props.search);
    propsRef.current.onSearchResult?.(result);
  }, [props.search]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !(e.target instanceof HTMLInputElement)) rendererRef.current?.resetZoom();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const cursor = useRef(-1);
  const onKeyDown = (e: KeyboardEvent) => {
    const renderer = rendererRef.current;
    const data = renderer?.getData();
    if (!renderer || !data) return;
    const from = cursor.current < 0 ? renderer.view().focused : cursor.current;
    let move = keyMoves[e.key];
    // The callers half is drawn upside down: up leads to callees there.
    if (props.inverted && (move === "caller" || move === "callee"))
      move = move === "caller" ? "callee" : "caller";
    let next = -1;
    if (move) next = cursor.current < 0 ? from : moveFrom(data, from, move);
    else if (e.key === "Home") next = 0;
    else if (e.key === "Enter" && cursor.current >= 0) renderer.zoomToNode(cursor.current);
    else if ((e.key === "ContextMenu" || (e.shiftKey && e.key === "F10")) && cursor.current >= 0) {
      const point = hook.flames[props.id]?.pointOf(cursor.current);
      const box = renderer.canvas.getBoundingClientRect();
      propsRef.current.onMenu({
        id: props.id,
        node: cursor.current,
        x: point?.x ?? box.left,
        y: point?.y ?? box.top,
      });
    } else return;
    e.preventDefault();
    if (next >= 0) {
      cursor.current = next;
      renderer.setCursor(next);
      propsRef.current.onCursor?.(next);
    }
  };
  return (
    // An application widget: the arrow keys belong to the graph (screen readers pass them through).
    <div
      ref={ref}
      class={props.className ?? "flame-box"}
      data-flame={props.id}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: role="application" is interactive; the lint does not know it
      tabIndex={0}
      role="application"
      aria-roledescription="flame graph"
      aria-label={`${props.label}. Arrow keys move between frames, Enter zooms, Shift+F10 opens the menu, Escape resets.`}
      onKeyDown={onKeyDown}
    />
  );
}

/** One sentence for the keyboard's frame: name, total and self with shares, file. */
function frameSentence(data: FlameData, node: number): string {
  const unit = data.sampleType.unit;
  const rootTotal = data.total[0]!;
  const self = selfValue(data, node);
  const file = fileOf(data, node);
  return `${nameOf(data, node)}: total ${formatQuantity(data.total[node]!, unit)} (${formatShare(data.total[node]!, rootTotal)}), self ${formatQuantity(self, unit)} (${formatShare(self, rootTotal)})${file ? `, ${file}` : ""}`;
}

/** The keyboard's frame as text, announced as it changes (the canvas's text alternative). */
function FrameStatus({ data, node }: { data: FlameData; node: number }) {
  return (
    <p class="frame-status" aria-live="polite">
      {node < 0 ? "Tab into the graph and use the arrow keys to read frames." : frameSentence(data, node)}
    </p>
  );
}

function Tooltip({ hover, data }: { hover: Hover; data: FlameData }) {
  const node = hover.node;
  const name = nameOf(data, node);
  const file = fileOf(data, node);
  const self = selfValue(data, node);
  const unit = data.sampleType.unit;
  const rootTotal = data.total[0]!;
  const style = {
    left: `${Math.min(hover.x + 14, window.innerWidth - 420)}px`,
    top: `${hover.y + 16}px`,
  };
  return (
    <div class="tooltip" style={style} role="tooltip">
      <div class="tooltip-name">{name}</div>
      {file && <div class="tooltip-file">{file}</div>}
      {data.diff && data.baseTotal && data.baseSelf ? (
        <table>
          <tbody>
            <tr>
              <th>total</th>
              <td>
                {formatQuantity(data.baseTotal[node]!, unit)} → {formatQuantity(data.total[node]!, unit)} (
                {formatSignedQuantity(data.total[node]! - data.baseTotal[node]!, unit)})
              </td>
            </tr>
            <tr>
              <th>self</th>
              <td>
                {formatQuantity(data.baseSelf[node]!, unit)} → {formatQuantity(self, unit)} (
                {formatSignedQuantity(self - data.baseSelf[node]!, unit)})
              </td>
            </tr>
          </tbody>
        </table>
      ) : (
        <table>
          <tbody>
            <tr>
              <th>total</th>
              <td>
                {formatQuantity(data.total[node]!, unit)} ({formatShare(data.total[node]!, rootTotal)})
              </td>
            </tr>
            <tr>
              <th>self</th>
              <td>
                {formatQuantity(self, unit)} ({formatShare(self, rootTotal)})
              </td>
            </tr>
          </tbody>
        </table>
      )}
      {data.inlined[node] ? <div class="tooltip-note">inlined</div> : null}
    </div>
  );
}

function ContextMenu({
  menu,
  data,
  state,
  onClose,
  onZoom,
}: {
  menu: Menu;
  data: FlameData;
  state: UrlState;
  onClose: () => void;
  onZoom: (node: number) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const close = () => onClose();
    // Escape closes and gives focus back; up and down move between the items; Tab leaves.
    const onKey = (e: KeyboardEvent) => {
      const items = [...(box.current?.querySelectorAll<HTMLButtonElement>(".menu-item") ?? [])];
      const at = items.indexOf(document.activeElement as HTMLButtonElement);
      if (e.key === "Escape" || e.key === "Tab") {
        if (e.key === "Escape") e.preventDefault();
        onClose();
        opener?.focus();
      } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        items[(at + step + items.length) % items.length]?.focus();
      }
    };
    window.addEventListener("click", close);
    window.addEventListener("keydown", onKey);
    box.current?.querySelector<HTMLButtonElement>(".menu-item")?.focus();
    return () => {
      window.removeEventListener("click", close);
      window.removeEventListener("keydown", onKey);
    };
  }, []);
  if (menu.node === 0) return null;
  const name = nameOf(data, menu.node);
  const exact = `^${regexEscape(name)}$`;
  const item = (label: string, action: () => void) => (
    <button
      type="button"
      class="menu-item"
      role="menuitem"
      onClick={(e) => {
        e.stopPropagation();
        onClose();
        action();
      }}
    >
      {label}
    </button>
  );
  return (
    <div
      class="context-menu"
      ref={box}
      style={{ left: `${menu.x}px`, top: `${menu.y}px` }}
      role="menu"
      aria-label={`Actions for ${name}`}
    >
      <div class="menu-title" aria-hidden="true">
        {name}
      </div>
      {item("Zoom", () => onZoom(menu.node))}
      {item("Sandwich (callers and callees)", () => navigate({ view: "sandwich", frame: name }))}
      {item("Peek", () => navigate({ view: "peek", fn: exact }))}
      {item("Source", () => navigate({ view: "source", fn: exact }))}
      {item("Show in call graph", () => navigate({ view: "graph", node: name }))}
      {item("Focus on this", () => navigate({ f: exact }))}
      {item("Ignore this", () => navigate({ i: state.i ? `${state.i}|${exact}` : exact }))}
      {item("Hide this frame", () => navigate({ h: state.h ? `${state.h}|${exact}` : exact }))}
    </div>
  );
}

function Breadcrumbs({
  data,
  focused,
  onZoom,
}: {
  data: FlameData;
  focused: number;
  onZoom: (n: number) => void;
}) {
  if (focused <= 0) return null;
  const path = pathTo(data, focused);
  return (
    <div class="breadcrumbs">
      {path.map((node, k) => (
        <span key={node}>
          {k > 0 && <span class="crumb-sep">›</span>}
          <button type="button" class="crumb" onClick={() => onZoom(node)}>
            {nameOf(data, node)}
          </button>
        </span>
      ))}
    </div>
  );
}

function SearchBox({ state, summary }: { state: UrlState; summary: string }) {
  const [text, setText] = useState(state.q);
  useEffect(() => setText(state.q), [state.q]);
  return (
    <div class="search">
      <input
        type="search"
        placeholder="Search frames (regex)"
        aria-label="Search frames"
        value={text}
        onInput={(e) => {
          const value = (e.target as HTMLInputElement).value;
          setText(value);
          navigate({ q: value }, { replace: true });
        }}
      />
      {summary && <span class="search-summary">{summary}</span>}
    </div>
  );
}

function DiffLegend() {
  return (
    <span class="legend">
      <span class="swatch" style={{ background: DIFF_LEGEND.shrank }} /> shrank
      <span class="swatch" style={{ background: DIFF_LEGEND.same }} /> same
      <span class="swatch" style={{ background: DIFF_LEGEND.grew }} /> grew
      <span class="legend-note">(width: base + target)</span>
    </span>
  );
}

export function FlameView({ state }: { state: UrlState }) {
  const path = flamePath(state);
  const { data, error, loading } = useFlameData(path);
  const [hover, setHover] = useState<Hover | null>(null);
  const [menu, setMenu] = useState<Menu | null>(null);
  const [match, setMatch] = useState<{ matchedWeight: number; matchedFrames: number } | null>(null);
  const [focused, setFocused] = useState(0);
  const [cursor, setCursor] = useState(-1);
  const search = useMemo(() => searchPattern(state.q), [state.q]);
  const zoom = (node: number) => hook.flames.main?.zoomToNode(node);
  if (error) return <div class="error">Could not load the flame graph: {error}</div>;
  if (!data) return <div class="loading">Loading flame graph…</div>;
  const unit = data.sampleType.unit;
  const summary =
    search && match
      ? `${match.matchedFrames} frames match, ${formatQuantity(match.matchedWeight, unit)} (${formatShare(match.matchedWeight, data.weight[0]!)})`
      : "";
  return (
    <div class={`flame-view ${loading ? "stale" : ""}`}>
      <div class="toolbar">
        <SearchBox state={state} summary={summary} />
        <button type="button" onClick={() => zoom(0)} disabled={focused === 0}>
          Reset zoom
        </button>
        <span class="toolbar-info">
          {data.sampleType.type} ({unit}) · total {formatQuantity(data.total[0]!, unit)}
          {data.diff && data.baseTotal ? ` (base ${formatQuantity(data.baseTotal[0]!, unit)})` : ""} ·{" "}
          {formatCount(data.nodeCount)} nodes
        </span>
        {data.diff && <DiffLegend />}
      </div>
      <Breadcrumbs data={data} focused={focused} onZoom={zoom} />
      <FlameCanvas
        id="main"
        label="Flame graph"
        data={data}
        search={search}
        onHover={setHover}
        onMenu={setMenu}
        onSearchResult={setMatch}
        onFocusChange={setFocused}
        onCursor={setCursor}
      />
      <FrameStatus data={data} node={cursor < data.nodeCount ? cursor : -1} />
      {hover && !menu && <Tooltip hover={hover} data={data} />}
      {menu && (
        <ContextMenu menu={menu} data={data} state={state} onClose={() => setMenu(null)} onZoom={zoom} />
      )}
      <p class="hint">
        Click a frame to zoom, right-click for more, Ctrl+wheel to zoom, Esc to reset. Keyboard: arrows move,
        Enter zooms, Shift+F10 opens the menu.
      </p>
    </div>
  );
}

export function SandwichView({ state }: { state: UrlState }) {
  const name = state.frame;
  const callers = useFlameData(name ? flamePath(state, { sandwich: name, dir: "callers" }) : null);
  const callees = useFlameData(name ? flamePath(state, { sandwich: name, dir: "callees" }) : null);
  const [hover, setHover] = useState<Hover | null>(null);
  const [menu, setMenu] = useState<Menu | null>(null);
  const [cursor, setCursor] = useState<{ id: string; node: number } | null>(null);
  const search = useMemo(() => searchPattern(state.q), [state.q]);
  if (!name) {
    return (
      <div class="empty">
        Pick a function: right-click a frame in the flame graph, or a row in the top table.
      </div>
    );
  }
  const error = callers.error ?? callees.error;
  if (error) return <div class="error">Could not load the sandwich view: {error}</div>;
  if (!callers.data || !callees.data) return <div class="loading">Loading…</div>;
  const pick = (id: string) => (id === "callers" ? callers.data! : callees.data!);
  return (
    <div class="sandwich">
      <div class="toolbar">
        <SearchBox state={state} summary="" />
        <span class="toolbar-info">
          Callers (above) and callees (below) of <span class="fn-name">{name}</span>
        </span>
      </div>
      <h3 class="sandwich-title">Callers</h3>
      <FlameCanvas
        id="callers"
        label="Callers"
        data={callers.data}
        inverted
        search={search}
        onHover={setHover}
        onMenu={setMenu}
        onCursor={(node) => setCursor({ id: "callers", node })}
        className="flame-box half"
      />
      <h3 class="sandwich-title">Callees</h3>
      <FlameCanvas
        id="callees"
        label="Callees"
        data={callees.data}
        search={search}
        onHover={setHover}
        onMenu={setMenu}
        onCursor={(node) => setCursor({ id: "callees", node })}
        className="flame-box half"
      />
      <FrameStatus
        data={pick(cursor?.id ?? "callees")}
        node={cursor && cursor.node < pick(cursor.id).nodeCount ? cursor.node : -1}
      />
      {hover && !menu && <Tooltip hover={hover} data={pick(hover.id)} />}
      {menu && (
        <ContextMenu
          menu={menu}
          data={pick(menu.id)}
          state={state}
          onClose={() => setMenu(null)}
          onZoom={(node) => hook.flames[menu.id]?.zoomToNode(node)}
        />
      )}
    </div>
  );
}
