/** The version an instance ran at a time, from its version spans (build_info series or a label). */
import type { VersionSpan } from "./types.js";

/**
 * The version in effect at `t` (epoch seconds): the span covering it, else the latest span that
 * began before it (a build_info gauge may miss a scrape), else null.
 */
export function versionAt(spans: VersionSpan[], t: number): string | null {
  let latestBefore: VersionSpan | null = null;
  for (const span of spans) {
    if (span.firstSeconds <= t && t <= span.lastSeconds) return span.version;
    if (span.firstSeconds <= t && (!latestBefore || span.firstSeconds > latestBefore.firstSeconds))
      latestBefore = span;
  }
  return latestBefore?.version ?? null;
}

/**
 * When `version` reached the instance: the start of its first span after a span of another
 * version (an upgrade in place), or of its first span (the instance appeared with it).
 */
export function arrivalOf(
  spans: VersionSpan[],
  version: string,
  before: number,
): { from: string | null; atSeconds: number } | null {
  const ordered = [...spans].sort((a, b) => a.firstSeconds - b.firstSeconds);
  let previous: VersionSpan | null = null;
  let arrival: { from: string | null; atSeconds: number } | null = null;
  for (const span of ordered) {
    if (span.firstSeconds > before) break;
    if (span.version === version && (!previous || previous.version !== version)) {
      arrival = { from: previous?.version ?? null, atSeconds: span.firstSeconds };
    }
    previous = span;
  }
  return arrival;
}

/**
 * Spans from observations of (time, version) pairs: consecutive observations of one version form a
 * span. Where two versions are seen at one time (an old series not yet stale), the one first seen
 * later, the newer, counts. `source` names where the version was read.
 */
export function spansFromObservations(
  observations: { t: number; version: string }[],
  source: string,
): VersionSpan[] {
  const firstSeen = new Map<string, number>();
  for (const o of observations) firstSeen.set(o.version, Math.min(firstSeen.get(o.version) ?? o.t, o.t));
  const byTime = new Map<number, string>();
  for (const o of observations) {
    const held = byTime.get(o.t);
    if (held === undefined || firstSeen.get(o.version)! > firstSeen.get(held)!) byTime.set(o.t, o.version);
  }
  const sorted = [...byTime].map(([t, version]) => ({ t, version })).sort((a, b) => a.t - b.t);
  const spans: VersionSpan[] = [];
  for (const o of sorted) {
    const current = spans[spans.length - 1];
    if (current && current.version === o.version) current.lastSeconds = o.t;
    else spans.push({ version: o.version, firstSeconds: o.t, lastSeconds: o.t, source });
  }
  return spans;
}
