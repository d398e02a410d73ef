/**
 * One suspect of the doctor page: what grows, where, how fast and how much of the growth it
 * explains, the hint, what holds it (from the hook's heap dump), the source line with its
 * neighbours, and one click to the flame graph, the growth diff, the retaining path or the source.
 */
import {
  formatBytes,
  formatCount,
  formatCountRate,
  formatPercent,
  formatSignedByteRate,
} from "../../../../model/units.js";
import type { SnapshotInfo, SourceExcerpt, SuspectCard } from "../../../shared/api-types.js";
import { navigate } from "../url-state.js";
import { flameLink, growthDiffLink, retentionLink, sourceLink } from "./links.js";
import { Sparkline } from "./Sparkline.js";

function growthLine(card: SuspectCard): string {
  if (card.kind === "goroutines") {
    const rate =
      card.growthGoroutinesPerSecond === null
        ? ""
        : `, ${formatCountRate(card.growthGoroutinesPerSecond, "goroutines")}`;
    return `${formatCount(card.goroutines ?? 0)} goroutines${card.state ? ` (${card.state})` : ""}${rate}`;
  }
  return `${formatSignedByteRate(card.growthBytesPerSecond)}, ${formatBytes(card.inuseBytes)} in use`;
}

function Source({ excerpt }: { excerpt: SourceExcerpt }) {
  return (
    <figure class="source-excerpt">
      <figcaption>
        {excerpt.file}:{excerpt.focus}
      </figcaption>
      <table>
        <tbody>
          {excerpt.lines.map((text, k) => {
            const n = excerpt.firstLine + k;
            const cls = n === excerpt.focus ? "focus" : excerpt.marked.includes(n) ? "marked" : "";
            return (
              <tr key={n} class={cls}>
                <th scope="row" class="num">
                  {n}
                </th>
                <td>
                  <code>{text}</code>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </figure>
  );
}

function Holders({ card }: { card: SuspectCard }) {
  if (card.heldBy.length === 0) {
    return card.heldByNote ? <p class="muted">Holder: {card.heldByNote}</p> : null;
  }
  return (
    <div class="holders">
      <h4>Held by</h4>
      <ul>
        {card.heldBy.slice(0, 3).map((h) => (
          <li key={h.root}>
            <span class="root">{h.root}</span> <span class="muted">({h.rootKind})</span>
            {h.share !== null && <span> keeps {formatPercent(h.share)}</span>}
            {h.path.length > 0 && (
              <ol class="path" aria-label="Retaining path, root first">
                {h.path.map((step, k) => (
                  <li key={k}>
                    {step.site ?? "object"} <span class="muted">{formatBytes(step.bytes)}</span>
                  </li>
                ))}
              </ol>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function SuspectCardView({
  card,
  rank,
  snapshots,
  sourceAvailable,
  src,
}: {
  card: SuspectCard;
  rank: number;
  snapshots: SnapshotInfo[];
  sourceAvailable: boolean;
  src: string;
}) {
  const diff = growthDiffLink(card, snapshots);
  const titleId = `suspect-${rank}`;
  return (
    <li class={`suspect-card kind-${card.kind}`} aria-labelledby={titleId}>
      <header>
        <h3 id={titleId} class="suspect-fn">
          <span class="rank">{rank}</span> {card.function}
        </h3>
        <span class="suspect-file">
          {card.file}:{card.line}
        </span>
      </header>
      <div class="suspect-figures">
        <div>
          <div class="growth">{growthLine(card)}</div>
          {card.kind !== "goroutines" && (
            <div class="share">
              {formatPercent(card.shareOfGrowth)} of the growth
              {card.role === "replacement" && " (refills what another site held)"}
            </div>
          )}
        </div>
        <Sparkline points={card.series} unit={card.kind === "goroutines" ? "count" : "bytes"} />
      </div>
      {card.hint && <p class="hint">{card.hint}</p>}
      <Holders card={card} />
      {card.source ? (
        <Source excerpt={card.source} />
      ) : (
        !sourceAvailable && (
          <p class="muted small">
            Source lines: run <code>heapscope ui {src} --source-path DIR</code> (DIR: your module's checkout)
          </p>
        )
      )}
      <div class="card-actions">
        <button type="button" onClick={() => navigate(flameLink(card))}>
          Flame graph
        </button>
        {diff && (
          <button type="button" onClick={() => navigate(diff)}>
            Growth diff
          </button>
        )}
        {card.kind === "heap" && (
          <button type="button" onClick={() => navigate(retentionLink(card))}>
            Retaining path
          </button>
        )}
        <button type="button" onClick={() => navigate(sourceLink(card))}>
          Source
        </button>
      </div>
    </li>
  );
}
