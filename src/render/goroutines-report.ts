/**
 * `heapscope goroutines` output: groups of goroutines (text, Markdown, JSON), and with a base dump
 * the groups that grew. No analysis here.
 */
import type { GoroutineGroupChange, GoroutineGroupDiff } from "../analysis/goroutine-groups.js";
import type { GoroutineFrame, GoroutineGroup, GoroutineSnapshot } from "../model/goroutine.js";

export interface GoroutinesView {
  source: string;
  snapshot: GoroutineSnapshot;
  /** Groups to show (after filters), sorted. */
  groups: GoroutineGroup[];
  base?: { source: string; snapshot: GoroutineSnapshot };
  diff?: GoroutineGroupDiff;
  /** Filters applied, for the headline. */
  filters: string[];
  notes: string[];
  /** Most groups listed in text/Markdown (JSON lists all). */
  limit: number;
  /** Most frames listed per group in text/Markdown. */
  depth: number;
}

const FORMAT_NAMES: Record<GoroutineSnapshot["format"], string> = {
  debug1: "debug=1 profile",
  debug2: "debug=2 dump",
  traceback: "traceback",
  proto: "proto profile",
  goroutineleak: "goroutineleak profile",
};

export function goroutinesReportJson(view: GoroutinesView): Record<string, unknown> {
  const s = view.snapshot;
  const out: Record<string, unknown> = {
    source: view.source,
    format: s.format,
    total: s.total,
    declaredTotal: s.declaredTotal ?? null,
    leaked: s.leaked,
    reason: s.reason ?? null,
    skippedLines: s.skippedLines,
    dumpsInInput: s.dumps,
    filters: view.filters,
    shown: view.groups.reduce((n, g) => n + g.count, 0),
    groups: view.groups.map(groupJson),
    notes: view.notes,
  };
  if (view.base && view.diff) {
    out.base = {
      source: view.base.source,
      format: view.base.snapshot.format,
      total: view.base.snapshot.total,
    };
    out.diff = {
      baseTotal: view.diff.baseTotal,
      currentTotal: view.diff.currentTotal,
      delta: view.diff.delta,
      comparedBy: view.diff.comparedBy,
      unchanged: view.diff.unchanged,
      grown: view.diff.grown.map(changeJson),
      shrunk: view.diff.shrunk.map(changeJson),
    };
  }
  return out;
}

function groupJson(g: GoroutineGroup): Record<string, unknown> {
  return {
    count: g.count,
    state: g.state,
    waitMinutes: g.waitMinutes,
    lockedToThread: g.lockedToThread,
    leaked: g.leaked,
    stack: g.frames.map((f) => f.func),
    frames: g.frames.map((f) => ({
      func: f.func,
      file: f.file ?? null,
      line: f.line ?? null,
      args: f.args ?? null,
    })),
    createdBy: g.createdBy?.func ?? null,
    createdByLocation: g.createdBy?.file ? `${g.createdBy.file}:${g.createdBy.line ?? "?"}` : null,
    labels: g.labels ?? null,
    goroutineIds: g.goroutineIds,
  };
}

function changeJson(c: GoroutineGroupChange): Record<string, unknown> {
  return { ...groupJson(c.group), count: c.currentCount, baseCount: c.baseCount, delta: c.delta };
}

export function renderGoroutinesText(view: GoroutinesView): string {
  const lines: string[] = [headline(view), ""];
  if (view.diff && view.base) {
    renderDiffText(view, lines);
  } else {
    const shown = view.groups.slice(0, view.limit);
    for (const group of shown) {
      lines.push(groupTitle(group));
      lines.push(...frameLines(group.frames, view.depth, "    "));
      if (group.createdBy) lines.push(`    created by ${group.createdBy.func}${location(group.createdBy)}`);
      lines.push("");
    }
    if (view.groups.length > shown.length) {
      const rest = view.groups.slice(shown.length);
      lines.push(
        `… ${rest.length} more groups with ${rest.reduce((n, g) => n + g.count, 0)} goroutines (--limit to show more)`,
        "",
      );
    }
    if (view.groups.length === 0) lines.push("No group matches.", "");
  }
  for (const note of view.notes) lines.push(`note: ${note}`);
  return `${lines.join("\n").trimEnd()}\n`;
}

function renderDiffText(view: GoroutinesView, lines: string[]): void {
  const diff = view.diff!;
  const shownGrown = diff.grown.slice(0, view.limit);
  if (shownGrown.length === 0) lines.push("No group grew.", "");
  else lines.push("Grew:", "");
  for (const change of shownGrown) {
    lines.push(
      `${signed(change.delta)} (${change.baseCount} → ${change.currentCount})  ${groupDescription(change.group)}`,
    );
    lines.push(...frameLines(change.group.frames, view.depth, "    "));
    if (change.group.createdBy)
      lines.push(`    created by ${change.group.createdBy.func}${location(change.group.createdBy)}`);
    lines.push("");
  }
  if (diff.grown.length > shownGrown.length)
    lines.push(`… ${diff.grown.length - shownGrown.length} more groups grew`, "");
  const shrunk = diff.shrunk.slice(0, Math.min(view.limit, 5));
  if (shrunk.length > 0) {
    lines.push("Shrank:");
    for (const change of shrunk) {
      lines.push(
        `  ${signed(change.delta)} (${change.baseCount} → ${change.currentCount})  ${leaf(change.group.frames)}`,
      );
    }
    if (diff.shrunk.length > shrunk.length) lines.push(`  … ${diff.shrunk.length - shrunk.length} more`);
    lines.push("");
  }
}

function headline(view: GoroutinesView): string {
  const s = view.snapshot;
  const filtered =
    view.filters.length > 0
      ? `; ${view.groups.reduce((n, g) => n + g.count, 0)} match ${view.filters.join(" and ")}`
      : "";
  const leaked = s.leaked > 0 ? `, ${s.leaked} leaked` : "";
  const reason = s.reason ? ` after "${s.reason}"` : "";
  if (view.diff && view.base) {
    return `Goroutines: ${view.diff.baseTotal} → ${view.diff.currentTotal} (${signed(view.diff.delta)}) from ${view.base.source} (${FORMAT_NAMES[view.base.snapshot.format]}) to ${view.source} (${FORMAT_NAMES[s.format]}); groups compared by ${view.diff.comparedBy.join(", ")}${filtered}`;
  }
  return `${view.source}: ${s.total} goroutines in ${s.groups.length} groups (${FORMAT_NAMES[s.format]}${reason})${leaked}${filtered}`;
}

function groupTitle(group: GoroutineGroup): string {
  return `${String(group.count).padStart(6)}  ${groupDescription(group)}`;
}

function groupDescription(group: GoroutineGroup): string {
  const parts: string[] = [];
  if (group.state !== null) parts.push(`[${group.state}]`);
  if (group.waitMinutes) {
    const { min, max } = group.waitMinutes;
    parts.push(min === max ? `waiting ${max} min` : `waiting ${min}–${max} min`);
  }
  if (group.lockedToThread) parts.push("locked to thread");
  if (group.leaked > 0) parts.push(group.leaked === group.count ? "leaked" : `${group.leaked} leaked`);
  if (group.labels)
    parts.push(
      `labels ${Object.entries(group.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}`,
    );
  if (parts.length === 0) parts.push(leaf(group.frames));
  return parts.join("  ");
}

function leaf(frames: GoroutineFrame[]): string {
  return frames[0]?.func ?? "(no stack)";
}

function frameLines(frames: GoroutineFrame[], depth: number, indent: string): string[] {
  if (frames.length === 0) return [`${indent}(no stack)`];
  const shown = frames.slice(0, depth);
  const width = Math.min(60, Math.max(...shown.map((f) => f.func.length)));
  const out = shown.map((f) =>
    `${indent}${f.func.padEnd(width)}  ${f.file ? `${f.file}:${f.line ?? "?"}` : ""}`.trimEnd(),
  );
  if (frames.length > shown.length) out.push(`${indent}… ${frames.length - shown.length} more frames`);
  return out;
}

function location(creator: { file?: string; line?: number }): string {
  return creator.file ? ` at ${creator.file}:${creator.line ?? "?"}` : "";
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "±0";
}

export function renderGoroutinesMarkdown(view: GoroutinesView): string {
  const lines: string[] = [`## ${escapeMarkdown(headline(view))}`, ""];
  const rows = (items: { count: string; group: GoroutineGroup }[]): void => {
    lines.push(
      "| goroutines | state | waiting | stack (leaf first) | created by | labels |",
      "|---:|---|---|---|---|---|",
    );
    for (const { count, group } of items) {
      const wait = group.waitMinutes ? `${group.waitMinutes.min}–${group.waitMinutes.max} min` : "";
      const stack = group.frames
        .slice(0, view.depth)
        .map((f) => `\`${escapeCode(f.func)}\``)
        .join("<br>");
      const labels = group.labels
        ? Object.entries(group.labels)
            .map(([k, v]) => escapeMarkdown(`${k}=${v}`))
            .join(", ")
        : "";
      lines.push(
        `| ${count} | ${escapeMarkdown(group.state ?? "")} | ${wait} | ${stack} | ${group.createdBy ? `\`${escapeCode(group.createdBy.func)}\`` : ""} | ${labels} |`,
      );
    }
    lines.push("");
  };
  if (view.diff) {
    if (view.diff.grown.length === 0) lines.push("No group grew.", "");
    else
      rows(
        view.diff.grown
          .slice(0, view.limit)
          .map((c) => ({ count: `${signed(c.delta)} (${c.baseCount} → ${c.currentCount})`, group: c.group })),
      );
  } else {
    rows(view.groups.slice(0, view.limit).map((g) => ({ count: String(g.count), group: g })));
  }
  for (const note of view.notes) lines.push(`- ${escapeMarkdown(note)}`);
  return `${lines.join("\n").trimEnd()}\n`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()<>#+!|~])/g, "\\$1").replace(/\r?\n/g, " ");
}

/** Inside a code span only backticks and table pipes matter. */
function escapeCode(text: string): string {
  return text.replace(/`/g, "'").replace(/\|/g, "\\|");
}
