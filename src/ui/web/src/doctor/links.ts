/**
 * Where a suspect card's actions lead, as URL patches: the flame graph searching the suspect's
 * function, the growth between the first and the last heap snapshot, the retention view (its
 * `site` and `root` keys), the source view.
 */
import type { SnapshotInfo, SuspectCard } from "../../../shared/api-types.js";
import { regexEscape } from "../format.js";
import type { UrlState } from "../url-state.js";

export function exactFunction(name: string): string {
  return `^${regexEscape(name)}$`;
}

export function flameLink(card: SuspectCard): Partial<UrlState> {
  return { view: "flame", base: "", q: exactFunction(card.function) };
}

/** Null with fewer than two snapshots (nothing to diff). */
export function growthDiffLink(card: SuspectCard, snapshots: SnapshotInfo[]): Partial<UrlState> | null {
  if (snapshots.length < 2) return null;
  return {
    src: snapshots[snapshots.length - 1]!.ref,
    base: snapshots[0]!.ref,
    view: "flame",
    q: exactFunction(card.function),
  };
}

export function retentionLink(card: SuspectCard): Partial<UrlState> {
  return { view: "retention", site: card.function, root: card.heldBy[0]?.root ?? "" };
}

export function sourceLink(card: SuspectCard): Partial<UrlState> {
  return { view: "source", fn: exactFunction(card.function) };
}
