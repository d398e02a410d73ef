/**
 * The timeline reports of the workspace's documents, cached as JSON text (a day-long recording's is
 * large). Shared by the timeline route and the server's warm-up, so a timeline computed ahead of the
 * page's request is the one the request is answered with. A live recording changes the workspace's
 * version, so a cached report is never stale.
 */
import { UsageError } from "../../errors.js";
import type { TimelineReport } from "../shared/api-types.js";
import { LruCache } from "./lru.js";
import { gcTraceTimeline, memStatsTimeline, recordingTimeline } from "./series.js";
import { thinTimeline } from "./thin-series.js";
import type { UiDocument, Workspace } from "./workspace.js";

function timelineOf(doc: UiDocument): TimelineReport {
  switch (doc.kind) {
    case "recording":
      return recordingTimeline(doc);
    case "gctrace":
      return gcTraceTimeline(doc);
    case "memstats":
      return memStatsTimeline(doc);
    default:
      throw new UsageError(`a ${doc.kind} input has no timeline`);
  }
}

export class TimelineCache {
  private readonly reports = new LruCache<string, string>(8);

  constructor(private readonly workspace: Workspace) {}

  /** The document's thinned timeline as JSON; throws a UsageError for a document without one. */
  json(doc: UiDocument): string {
    return this.reports.getOrCompute(`${doc.id}|${this.workspace.version}`, () =>
      JSON.stringify(thinTimeline(timelineOf(doc))),
    );
  }
}
