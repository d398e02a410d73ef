/**
 * Timelines of a recording, a gctrace log or a MemStats series (uPlot, loaded on demand), the
 * recording's heap snapshots (pick two to diff) and the doctor's verdict.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { formatDuration, formatQuantity } from "../../../../model/units.js";
import type {
  DiagnosisView,
  DocumentKind,
  TimelineReport,
  TimelineSeries,
} from "../../../shared/api-types.js";
import { regexEscape } from "../format.js";
import { HeldByLinks } from "../retention/HeldByLinks.js";
import { markLoaded } from "../test-hook.js";
import { navigate } from "../url-state.js";
import { useJson } from "../use-json.js";

type UPlotConstructor = typeof import("uplot");
let uplotModule: Promise<UPlotConstructor> | null = null;
function loadUPlot(): Promise<UPlotConstructor> {
  uplotModule ??= Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(
    ([m]) => m.default as UPlotConstructor,
  );
  return uplotModule;
}

const palette = ["#1f77b4", "#e08214", "#2ca02c", "#9467bd", "#8c564b", "#17becf"];

function unitOf(series: TimelineSeries[]): string {
  return series[0]?.unit ?? "count";
}

/** One chart: series sharing a unit, on a common x axis (seconds since the start). */
function Chart({ title, series }: { title: string; series: TimelineSeries[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { destroy(): void } | null = null;
    let cancelled = false;
    loadUPlot().then((UPlot) => {
      if (cancelled || !ref.current) return;
      // Merge the series' x values into one axis; missing points are null (gaps).
      const xs = Array.from(new Set(series.flatMap((s) => s.x))).sort((a, b) => a - b);
      const index = new Map(xs.map((x, k) => [x, k]));
      const columns = series.map((s) => {
        const column: Array<number | null> = new Array(xs.length).fill(null);
        s.x.forEach((x, k) => {
          column[index.get(x)!] = s.y[k] ?? null;
        });
        return column;
      });
      const unit = unitOf(series);
      const width = Math.max(300, ref.current.clientWidth || 800);
      chart = new UPlot(
        {
          title,
          width,
          height: 220,
          scales: { x: { time: false } },
          series: [
            {
              label: "time",
              value: (_u: unknown, v: number | null) => (v === null ? "" : formatDuration(v)),
            },
            ...series.map((s, k) => ({
              label: s.trend ? `${s.label} (${s.trend.verdict})` : s.label,
              stroke: palette[k % palette.length],
              width: 1.5,
              spanGaps: s.unit !== "nanoseconds",
              points: { show: s.x.length < 200 },
              value: (_u: unknown, v: number | null) => (v === null ? "—" : formatQuantity(v, s.unit)),
            })),
          ],
          axes: [
            { values: (_u: unknown, vals: number[]) => vals.map((v) => formatDuration(v)) },
            { size: 80, values: (_u: unknown, vals: number[]) => vals.map((v) => formatQuantity(v, unit)) },
          ],
        },
        [xs, ...columns] as unknown as import("uplot").AlignedData,
        ref.current,
      );
      markLoaded(`chart:${title}`);
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [series, title]);
  return <div class="chart" ref={ref} data-chart={title} />;
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

function DoctorPanel({ src, tick }: { src: string; tick: number }) {
  const { data, error } = useJson<DiagnosisView>(
    `/api/diagnosis?src=${encodeURIComponent(src)}&t=${tick}`,
    "diagnosis",
  );
  if (error) return <div class="error">Doctor: {error}</div>;
  if (!data) return <div class="loading">Running the doctor…</div>;
  return (
    <section class={`doctor verdict-${data.verdict.replace(/[^a-z-]/gi, "")}`} aria-label="Diagnosis">
      <h2>
        Verdict: <span class="verdict">{data.verdict}</span>
        {data.confidence && <span class="muted"> ({data.confidence})</span>}
      </h2>
      <p class="headline">{data.headline}</p>
      {data.suspects.length > 0 && (
        <ol class="suspects">
          {data.suspects.map((s, k) => (
            <li key={k}>
              <div class="suspect-title">
                {s.title}
                {s.functionName && (
                  <button
                    type="button"
                    class="link small"
                    onClick={() => navigate({ view: "flame", q: `^${regexEscape(s.functionName!)}$` })}
                  >
                    show in flame graph
                  </button>
                )}
              </div>
              <HeldByLinks raw={data.raw} index={k} functionName={s.functionName} />
              {s.detail && <p>{s.detail}</p>}
              {s.evidence.length > 0 && (
                <ul class="evidence">
                  {s.evidence.map((e, j) => (
                    <li key={j}>{e}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
      {data.hints.length > 0 && (
        <ul class="hints">
          {data.hints.map((h, k) => (
            <li key={k}>{h}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function TimelineView({ src, kind, tick }: { src: string; kind: DocumentKind; tick: number }) {
  const { data, error } = useJson<TimelineReport>(
    `/api/timeline?src=${encodeURIComponent(src)}&t=${tick}`,
    "timeline",
  );
  const [base, setBase] = useState<string>("");
  const [target, setTarget] = useState<string>("");
  useEffect(() => {
    if (!data) return;
    const snaps = data.snapshots;
    if (snaps.length >= 2 && !base && !target) {
      setBase(snaps[0]!.ref);
      setTarget(snaps[snaps.length - 1]!.ref);
    }
  }, [data]);
  if (error) return <div class="error">{error}</div>;
  if (!data) return <div class="loading">Loading…</div>;
  const charts = groupCharts(data.series);
  return (
    <div class="timeline-view">
      {kind === "recording" && <DoctorPanel src={src} tick={tick} />}
      {charts.length === 0 && <p class="empty">No time series in this input.</p>}
      {charts.map((c) => (
        <Chart key={c.title} title={c.title} series={c.series} />
      ))}
      {data.snapshots.length > 0 && (
        <section class="snapshots">
          <h2>Heap snapshots</h2>
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
          <table class="snapshot-table">
            <thead>
              <tr>
                <th>B</th>
                <th>T</th>
                <th>At</th>
                <th>In use</th>
                <th>GC forced</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.snapshots.map((s) => (
                <tr key={s.ref}>
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
                  <td class="num">{s.inuseBytes === null ? "—" : formatQuantity(s.inuseBytes, "bytes")}</td>
                  <td>{s.gcForced ? "yes" : "no"}</td>
                  <td>
                    <button
                      type="button"
                      class="link small"
                      onClick={() => navigate({ src: s.ref, base: "", view: "flame" })}
                    >
                      open
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
