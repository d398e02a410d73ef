/**
 * The doctor page of a recording (or a live run): the verdict header, the suspect cards, the
 * program's holders and the hints, then the recording's timelines on one time axis and its heap
 * snapshots. Says the exact command when a piece of data is missing.
 */
import { formatBytes, formatDuration, formatPercent } from "../../../../model/units.js";
import type { DiagnosisView, Holder, TimelineReport } from "../../../shared/api-types.js";
import { useJson } from "../use-json.js";
import { loadUPlot, SnapshotTable, TimelineCharts } from "../views/TimelineView.js";
import { diagnosisApiPath, timelineApiPath } from "./prefetch.js";
import { SuspectCardView } from "./SuspectCardView.js";

const verdictWords: Record<string, string> = {
  leak: "Leak",
  "no-leak": "No leak",
  inconclusive: "Inconclusive",
};

/** The summary sentence without the verdict word it starts with: the badge beside it says that. */
function headline(summary: string, word: string | undefined): string {
  const prefix = word ? `${word}: ` : "";
  if (!prefix || !summary.startsWith(prefix)) return summary;
  const rest = summary.slice(prefix.length);
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

function VerdictHeader({ report }: { report: DiagnosisView }) {
  const o = report.observation;
  const facts: Array<[string, string]> = [];
  if (report.decision?.timeToVerdictSeconds != null)
    facts.push(["Time to verdict", formatDuration(report.decision.timeToVerdictSeconds)]);
  facts.push(["Observed", formatDuration(o.spanSeconds)]);
  facts.push(["Heap snapshots", `${o.heapSnapshotsDecoded} of ${o.heapSnapshots}`]);
  facts.push(["GC cycles", String(o.gcCycles)]);
  if (o.samplingRateBytes !== null) facts.push(["Sampling", `every ${formatBytes(o.samplingRateBytes)}`]);
  const tone = report.verdict.replace(/[^a-z-]/g, "");
  return (
    <header class={`verdict-header verdict-${tone}`}>
      <div class="verdict-line">
        <span class="verdict" data-verdict={report.verdict}>
          {verdictWords[report.verdict] ?? report.verdict}
        </span>
        <p class="headline">{headline(report.summary, verdictWords[report.verdict])}</p>
      </div>
      <dl class="facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {report.toDecide && <p class="to-decide">To decide: {report.toDecide}</p>}
      {report.reasons.length > 0 && (
        <ul class="reasons">
          {report.reasons.map((r, k) => (
            <li key={k}>{r}</li>
          ))}
        </ul>
      )}
    </header>
  );
}

/** The verdict header's place while the first diagnosis runs. */
function PendingVerdict() {
  return (
    <header class="verdict-header verdict-pending">
      <div class="verdict-line">
        <span class="verdict-placeholder loading">Diagnosing…</span>
        <p class="headline muted">The suspects appear here when the doctor has read the recording.</p>
      </div>
    </header>
  );
}

function HoldersTable({ holders }: { holders: Holder[] }) {
  return (
    <section class="panel" aria-labelledby="holders-title">
      <h2 id="holders-title">What holds the live heap</h2>
      <table class="data-table">
        <caption class="sr-only">Roots that keep memory reachable, largest first</caption>
        <thead>
          <tr>
            <th scope="col">Root</th>
            <th scope="col">Kind</th>
            <th scope="col" class="num">
              Retains
            </th>
            <th scope="col" class="num">
              Share
            </th>
          </tr>
        </thead>
        <tbody>
          {holders.map((h) => (
            <tr key={h.root}>
              <td class="fn">{h.root}</td>
              <td>{h.rootKind}</td>
              <td class="num">{formatBytes(h.retainedBytes)}</td>
              <td class="num">{formatPercent(h.share)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function DoctorView({ src, name, tick }: { src: string; name: string; tick: number }) {
  // The charts' library loads while the data is on its way.
  loadUPlot();
  const doctor = useJson<DiagnosisView>(diagnosisApiPath(src, tick), "diagnosis");
  const timeline = useJson<TimelineReport>(timelineApiPath(src, tick), "timeline");
  const report = doctor.data;
  // The timelines need no diagnosis: they draw while it runs (seconds for a day-long recording).
  const diagnosing = !report && !doctor.error;
  const snapshots = timeline.data?.snapshots ?? [];
  return (
    <div class="doctor-page">
      <section class="doctor" aria-label="Diagnosis" aria-busy={diagnosing}>
        {doctor.error && <div class="error">Doctor: {doctor.error}</div>}
        {diagnosing && <PendingVerdict />}
        {report && <VerdictHeader report={report} />}
        {report && report.suspects.length > 0 && (
          <section aria-labelledby="suspects-title">
            <h2 id="suspects-title">Suspects</h2>
            <ol class="suspects">
              {report.suspects.map((card, k) => (
                <SuspectCardView
                  key={`${card.kind}:${card.function}`}
                  card={card}
                  rank={k + 1}
                  snapshots={snapshots}
                  sourceAvailable={report.sourceAvailable}
                  src={name}
                />
              ))}
            </ol>
          </section>
        )}
        {report && report.suspects.length === 0 && report.verdict !== "leak" && (
          <p class="empty">No site grows: nothing to suspect.</p>
        )}
        {report &&
          (report.holders.length > 0 ? (
            <HoldersTable holders={report.holders} />
          ) : (
            report.verdict === "leak" && (
              <p class="empty">
                What holds the memory needs a heap dump: record with the hook, e.g.{" "}
                <code>heapscope doctor --out run.hsrec --keep-dump -- go run ./cmd/yourservice</code> (the
                dump holds the program's secrets: keep the recording private)
              </p>
            )
          ))}
        {report && report.hints.length > 0 && (
          <section class="panel" aria-labelledby="hints-title">
            <h2 id="hints-title">What to try</h2>
            <ul class="hints">
              {report.hints.map((h, k) => (
                <li key={k}>
                  <strong>{h.title}</strong>: {h.hypothesis} {h.fix}
                </li>
              ))}
            </ul>
          </section>
        )}
        {report?.caveat && <p class="muted small caveat">{report.caveat}</p>}
      </section>
      {timeline.error && <div class="error">{timeline.error}</div>}
      {timeline.data && <TimelineCharts report={timeline.data} />}
      {timeline.data && <SnapshotTable snapshots={snapshots} />}
    </div>
  );
}
