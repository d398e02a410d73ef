/**
 * Timelines of a recording, a gctrace log or a MemStats series (uPlot, loaded on demand): one chart
 * per unit, all on one time axis (same range, a shared cursor), heap snapshots marked on each; the
 * legend shows every series' value at the cursor's time. Below, the recording's heap snapshots
 * (pick two to diff).
 */
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { formatDuration, formatQuantity } from "../../../../model/units.js";
import type {
  DocumentKind,
  SnapshotInfo,
  TimelineReport,
  TimelineSeries,
} from "../../../shared/api-types.js";
import { markLoaded } from "../test-hook.js";
import { cssVar } from "../theme.js";
import { seriesColor, seriesDash } from "../timeline/palette.js";
import { alignSeries, lastKnownIndex } from "../timeline/series-value.js";
import { navigate } from "../url-state.js";
import { useJson } from "../use-json.js";

type UPlotConstructor = typeof import("uplot");
type UPlot = import("uplot");
let uplotModule: Promise<UPlotConstructor> | null = null;
/** Starts loading the chart library (a page that will draw charts calls it before its data arrives). */
export function loadUPlot(): Promise<UPlotConstructor> {
  uplotModule ??= Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(
    ([m]) => m.default as UPlotConstructor,
  );
  return uplotModule;
}

const SYNC_KEY = "heapscope-timeline";
const CHART_HEIGHT = 200;

function unitOf(series: TimelineSeries[]): string {
  return series[0]?.unit ?? "count";
}

interface ChartProps {
  title: string;
  series: TimelineSeries[];
  /** The time axis shared by every chart of the page, seconds. */
  range: [number, number];
  /** Heap snapshot times, drawn as vertical marks. */
  markers: number[];
}

/** The value a legend shows: the series' last point at or before the cursor (the latest without one). */
function legendValue(unit: string) {
  return (u: UPlot, _v: number | null, seriesIndex: number, index: number | null): string => {
    const column = u.data[seriesIndex] as ArrayLike<number | null>;
    const k = lastKnownIndex(column, index ?? column.length - 1);
    return k < 0 ? "no data yet" : formatQuantity(column[k]!, unit);
  };
}

function drawMarkers(markers: number[]) {
  return (u: UPlot) => {
    const { ctx, bbox } = u;
    ctx.save();
    ctx.strokeStyle = cssVar("--marker", "#888");
    ctx.lineWidth = 1;
    ctx.setLineDash([3, 3]);
    for (const t of markers) {
      const x = Math.round(u.valToPos(t, "x", true)) + 0.5;
      if (x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  };
}

function chartOptions(props: ChartProps, width: number): import("uplot").Options {
  const unit = unitOf(props.series);
  const axisColor = cssVar("--fg-muted", "#555");
  const gridColor = cssVar("--grid", "#e5e5e5");
  const axis = { stroke: axisColor, grid: { stroke: gridColor }, ticks: { stroke: gridColor } };
  return {
    title: props.title,
    width,
    height: CHART_HEIGHT,
    scales: { x: { time: false, range: () => props.range } },
    cursor: { sync: { key: SYNC_KEY } },
    hooks: { draw: [drawMarkers(props.markers)] },
    series: [
      {
        label: "time",
        value: (_u: unknown, v: number | null) => (v === null ? "latest" : formatDuration(v)),
      },
      ...props.series.map((s, k) => ({
        label: s.trend ? `${s.label} (${s.trend.verdict})` : s.label,
        stroke: seriesColor(k),
        dash: seriesDash(k),
        width: 1.75,
        spanGaps: s.unit !== "nanoseconds",
        points: { show: s.x.length < 200 },
        value: legendValue(s.unit),
      })),
    ],
    axes: [
      { ...axis, values: (_u: unknown, vals: number[]) => vals.map((v) => formatDuration(v)) },
      {
        ...axis,
        size: 84,
        values: (_u: unknown, vals: number[]) => vals.map((v) => formatQuantity(v, unit)),
      },
    ],
  };
}

/** The page's charts, so a keyboard move reaches them all (they share the time axis). */
const pageCharts = new Set<UPlot>();

/** The keyboard's time cursor: arrows step through the chart's points, Home and End jump to the ends. */
function moveCursor(chart: UPlot, e: KeyboardEvent): void {
  const xs = chart.data[0] as ArrayLike<number>;
  if (xs.length === 0) return;
  const at = chart.cursor.idx ?? -1;
  const step = e.shiftKey ? 10 : 1;
  let next: number;
  if (e.key === "ArrowRight") next = at < 0 ? 0 : Math.min(xs.length - 1, at + step);
  else if (e.key === "ArrowLeft") next = at < 0 ? xs.length - 1 : Math.max(0, at - step);
  else if (e.key === "Home") next = 0;
  else if (e.key === "End") next = xs.length - 1;
  else return;
  e.preventDefault();
  const time = xs[next]!;
  for (const c of pageCharts) {
    c.setCursor({ left: c.valToPos(time, "x"), top: c.bbox.height / devicePixelRatio / 2 });
  }
}

/** One chart: series sharing a unit, on the page's common time axis. */
function Chart(props: ChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<UPlot | null>(null);
  useEffect(() => {
    let chart: UPlot | null = null;
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    loadUPlot().then((UPlot) => {
      const element = ref.current;
      if (cancelled || !element) return;
      const { xs, columns } = alignSeries(props.series);
      const width = Math.max(300, element.clientWidth || 800);
      chart = new UPlot(
        chartOptions(props, width),
        [xs, ...columns] as unknown as import("uplot").AlignedData,
        element,
      );
      chartRef.current = chart;
      pageCharts.add(chart);
      observer = new ResizeObserver(() => {
        const w = Math.max(300, element.clientWidth);
        if (chart && Math.abs(chart.width - w) > 1) chart.setSize({ width: w, height: CHART_HEIGHT });
      });
      observer.observe(element);
      element.querySelector(".u-legend")?.setAttribute("aria-live", "polite");
      markLoaded(`chart:${props.title}`);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      if (chart) pageCharts.delete(chart);
      chart?.destroy();
      chartRef.current = null;
    };
  }, [props.series, props.title, props.range[0], props.range[1], props.markers]);
  return (
    <div
      class="chart"
      ref={ref}
      data-chart={props.title}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: role="application" is interactive; the lint does not know it
      tabIndex={0}
      role="application"
      aria-roledescription="chart"
      aria-label={`${props.title}: left and right arrows move the time cursor (every chart follows), the legend reads the values`}
      onKeyDown={(e) => {
        const chart = chartRef.current;
        if (chart) moveCursor(chart, e);
      }}
    />
  );
}

function groupCharts(series: TimelineSeries[]): Array<{ title: string; series: TimelineSeries[] }> {
  const titles: Record<string, string> = {
    bytes: "Memory",
    count: "Counts",
    nanoseconds: "GC pauses",
    seconds: "Seconds",
  };
  const groups = new Map<string, TimelineSeries[]>();
  for (const s of series) {
    if (s.x.length === 0) continue;
    const key = s.unit === "count" ? `count:${s.key}` : s.unit;
    const list = groups.get(key) ?? [];
    list.push(s);
    groups.set(key, list);
  }
  return [...groups.entries()].map(([key, list]) => ({
    title: key.startsWith("count:") ? list[0]!.label : (titles[key] ?? key),
    series: list,
  }));
}

function timeRange(report: TimelineReport): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of report.series) {
    for (const x of s.x) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  for (const snap of report.snapshots) {
    lo = Math.min(lo, snap.atSeconds);
    hi = Math.max(hi, snap.atSeconds);
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/** At most this many snapshot marks per chart: more would paint the plot grey. */
const MAX_MARKERS = 120;

function markerTimes(snapshots: SnapshotInfo[]): number[] {
  const step = Math.max(1, Math.ceil(snapshots.length / MAX_MARKERS));
  return snapshots.filter((_, k) => k % step === 0).map((s) => s.atSeconds);
}

/** Every chart of a timeline report, aligned on one time axis with the snapshot markers. */
export function TimelineCharts({ report }: { report: TimelineReport }) {
  const charts = groupCharts(report.series);
  const range = timeRange(report);
  const markers = useMemo(() => markerTimes(report.snapshots), [report.snapshots]);
  if (charts.length === 0) return <p class="empty">No time series in this input.</p>;
  return (
    <section class="timelines" aria-labelledby="timelines-title">
      <h2 id="timelines-title">Timelines</h2>
      <p class="muted small">
        One time axis; dashed marks are heap snapshots. Hover a chart to read every series at that time.
      </p>
      {charts.map((c) => (
        <Chart key={c.title} title={c.title} series={c.series} range={range} markers={markers} />
      ))}
    </section>
  );
}

/** The recording's heap snapshots: open one, or pick a base and a target and diff them. */
export function SnapshotTable({ snapshots }: { snapshots: SnapshotInfo[] }) {
  const [base, setBase] = useState<string>("");
  const [target, setTarget] = useState<string>("");
  useEffect(() => {
    if (snapshots.length >= 2 && !base && !target) {
      setBase(snapshots[0]!.ref);
      setTarget(snapshots[snapshots.length - 1]!.ref);
    }
  }, [snapshots]);
  const [showAll, setShowAll] = useState(false);
  if (snapshots.length === 0) return null;
  // A day-long recording has thousands: the first and the latest ones, the rest on demand.
  const folded = !showAll && snapshots.length > FOLD_ABOVE;
  const rows = folded ? [...snapshots.slice(0, FOLD_HEAD), ...snapshots.slice(-FOLD_TAIL)] : snapshots;
  return (
    <section class="snapshots" aria-labelledby="snapshots-title">
      <h2 id="snapshots-title">Heap snapshots</h2>
      <div class="toolbar">
        <button
          type="button"
          disabled={!base || !target || base === target}
          onClick={() => navigate({ src: target, base, view: "flame" })}
        >
          Diff selected
        </button>
        <span class="toolbar-info">pick a base (B) and a target (T)</span>
      </div>
      <table class="snapshot-table data-table">
        <caption class="sr-only">Heap snapshots of the recording</caption>
        <thead>
          <tr>
            <th scope="col">B</th>
            <th scope="col">T</th>
            <th scope="col" class="num">
              At
            </th>
            <th scope="col" class="num">
              In use
            </th>
            <th scope="col">GC forced</th>
            <th scope="col">
              <span class="sr-only">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s, k) => (
            <SnapshotRow
              key={s.ref}
              s={s}
              base={base}
              target={target}
              setBase={setBase}
              setTarget={setTarget}
              fold={
                folded && k === FOLD_HEAD ? (
                  <tr class="fold">
                    <td colSpan={6}>
                      <button type="button" class="link" onClick={() => setShowAll(true)}>
                        Show all {snapshots.length} snapshots ({snapshots.length - FOLD_HEAD - FOLD_TAIL}{" "}
                        more)
                      </button>
                    </td>
                  </tr>
                ) : null
              }
            />
          ))}
        </tbody>
      </table>
    </section>
  );
}

const FOLD_ABOVE = 60;
const FOLD_HEAD = 10;
const FOLD_TAIL = 40;

function SnapshotRow({
  s,
  base,
  target,
  setBase,
  setTarget,
  fold,
}: {
  s: SnapshotInfo;
  base: string;
  target: string;
  setBase: (ref: string) => void;
  setTarget: (ref: string) => void;
  fold: ComponentChildren;
}) {
  return (
    <>
      {fold}
      <tr>
        <td>
          <input
            type="radio"
            name="base"
            aria-label={`base ${s.ref}`}
            checked={base === s.ref}
            onChange={() => setBase(s.ref)}
          />
        </td>
        <td>
          <input
            type="radio"
            name="target"
            aria-label={`target ${s.ref}`}
            checked={target === s.ref}
            onChange={() => setTarget(s.ref)}
          />
        </td>
        <td class="num">{formatDuration(s.atSeconds)}</td>
        <td class="num">{s.inuseBytes === null ? "not decoded" : formatQuantity(s.inuseBytes, "bytes")}</td>
        <td>{s.gcForced ? "yes" : "no"}</td>
        <td>
          <button
            type="button"
            class="link small"
            aria-label={`open snapshot ${s.ref}`}
            onClick={() => navigate({ src: s.ref, base: "", view: "flame" })}
          >
            open
          </button>
        </td>
      </tr>
    </>
  );
}

/** A gctrace log's or a MemStats series' timelines. */
export function TimelineView({ src, tick }: { src: string; kind: DocumentKind; tick: number }) {
  const { data, error } = useJson<TimelineReport>(
    `/api/timeline?src=${encodeURIComponent(src)}&t=${tick}`,
    "timeline",
  );
  if (error) return <div class="error">{error}</div>;
  if (!data) return <div class="loading">Loading…</div>;
  return (
    <div class="timeline-view">
      <TimelineCharts report={data} />
      <SnapshotTable snapshots={data.snapshots} />
    </div>
  );
}
