/** `heapscope goroutines`: what it does. Its arguments, options and help are in ../commands/goroutines.ts. */
import { HeapscopeError, InputError, UsageError } from "../../errors.js";
import { describeInputKind, isGzip, looksBinary, sniffInput } from "../../formats/sniff.js";
import type { GoroutineSnapshot } from "../../model/goroutine.js";
import { resolveFormat, writeJson, writeOut } from "../output.js";
import { parsePositiveInteger, parsePositiveNumber, parseRegExp } from "../parse-options.js";

interface GoroutinesFlags {
  base?: string;
  state?: string;
  match?: string;
  exactArgs?: boolean;
  limit?: string;
  depth?: string;
  timeout?: string;
  format?: string;
  json?: boolean;
}

function notesFor(name: string, snapshot: GoroutineSnapshot): string[] {
  const notes: string[] = [];
  if (snapshot.format === "proto" || snapshot.format === "debug1") {
    notes.push(`${name}: this form has no goroutine states or wait times; a ?debug=2 dump has them.`);
  }
  if (snapshot.declaredTotal !== undefined && snapshot.declaredTotal !== snapshot.total) {
    notes.push(
      `${name}: the header says ${snapshot.declaredTotal} goroutines but ${snapshot.total} were read (truncated?).`,
    );
  }
  if (snapshot.dumps > 1)
    notes.push(`${name}: the input holds ${snapshot.dumps} dumps; the last one is used.`);
  if (snapshot.skippedLines > 0) {
    notes.push(
      `${name}: ${snapshot.skippedLines} line(s) that are not part of a goroutine dump were skipped.`,
    );
  }
  return notes;
}

/**
 * Reads a goroutine dump of any form from a file, stdin or URL. Text is streamed line by line and
 * grouped as it arrives (memory bounded by the number of distinct stacks); gzip or binary input is
 * decoded as a profile.proto goroutine profile.
 */
export async function loadGoroutineSnapshot(
  spec: string,
  options: { ignoreArgs: boolean; timeoutMs: number },
): Promise<{ name: string; snapshot: GoroutineSnapshot }> {
  const input = await import("../../collect/signal-input.js");
  const { readGoroutineProfile, readGoroutineDumpStream } = await import(
    "../../analysis/goroutine-groups.js"
  );
  const opened = await input.openSignalInput(spec, { timeoutMs: options.timeoutMs });
  const name = opened.name;
  if (opened.head.length === 0) throw new InputError(name, "empty input");
  if (isGzip(opened.head) || looksBinary(opened.head)) {
    const { parseProfileBytes } = await import("../../formats/profile-bytes.js");
    const parts: Buffer[] = [];
    for await (const chunk of opened.chunks) parts.push(chunk);
    const bytes = Buffer.concat(parts);
    // A text dump that was gzipped (dump.txt.gz) is read as text.
    const inflated = isGzip(bytes) ? input.gunzipText(bytes) : undefined;
    if (inflated !== undefined) {
      const snapshot = await readGoroutineDumpStream(input.linesOf(once(inflated)), {
        ignoreArgs: options.ignoreArgs,
      });
      return { name, snapshot: requireDump(name, snapshot) };
    }
    let profile: import("../../profile/model.js").Profile;
    try {
      profile = parseProfileBytes(new Uint8Array(bytes), name).profile;
    } catch (error) {
      if (!isGzip(opened.head)) {
        throw new InputError(
          name,
          `${describeInputKind(sniffInput(opened.head))}, neither a goroutine dump nor a pprof profile`,
        );
      }
      const message =
        error instanceof HeapscopeError ? error.message.replace(`${name}: `, "") : String(error);
      throw new InputError(name, message);
    }
    const types = profile.sampleTypes.map((t) => t.type);
    if (!types.includes("goroutine") && !types.includes("goroutineleak")) {
      throw new InputError(
        name,
        `not a goroutine profile (its sample types are ${types.join(", ") || "missing"})`,
      );
    }
    return { name, snapshot: readGoroutineProfile(profile, { ignoreArgs: options.ignoreArgs }) };
  }
  const snapshot = await readGoroutineDumpStream(input.linesOf(opened.chunks), {
    ignoreArgs: options.ignoreArgs,
  });
  return { name, snapshot: requireDump(name, snapshot) };
}

function requireDump(name: string, snapshot: GoroutineSnapshot): GoroutineSnapshot {
  if (snapshot.total === 0 && snapshot.declaredTotal === undefined) {
    throw new InputError(
      name,
      "not a goroutine dump (expected /debug/pprof/goroutine output, ?debug=1 or ?debug=2, or a panic/SIGQUIT traceback)",
    );
  }
  return snapshot;
}

async function* once(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}

/** `heapscope goroutines`. */
export async function goroutinesAction(dump: string, flags: GoroutinesFlags): Promise<void> {
  const format = resolveFormat(flags);
  const limit = parsePositiveInteger(flags.limit ?? "20", "--limit");
  const depth = parsePositiveInteger(flags.depth ?? "12", "--depth");
  const timeoutMs = parsePositiveNumber(flags.timeout ?? "30", "--timeout", { seconds: true }) * 1000;
  const match = flags.match !== undefined ? parseRegExp(flags.match, "--match") : undefined;
  const states = flags.state
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const ignoreArgs = !flags.exactArgs;

  const { filterGoroutineGroups, diffGoroutineGroups, snapshotHasStates } = await import(
    "../../analysis/goroutine-groups.js"
  );
  const render = await import("../../render/goroutines-report.js");
  const current = await loadGoroutineSnapshot(dump, { ignoreArgs, timeoutMs });
  const base =
    flags.base !== undefined ? await loadGoroutineSnapshot(flags.base, { ignoreArgs, timeoutMs }) : undefined;

  if (states && states.length > 0) {
    for (const [name, snapshot] of [
      [current.name, current.snapshot],
      ...(base ? [[base.name, base.snapshot]] : []),
    ] as [string, GoroutineSnapshot][]) {
      if (!snapshotHasStates(snapshot)) {
        throw new UsageError(
          `--state needs goroutine states, which a ${snapshot.format} dump does not have (${name}); use a ?debug=2 dump or a traceback`,
        );
      }
    }
  }
  const filter = { ...(states && states.length > 0 ? { states } : {}), ...(match ? { match } : {}) };
  const filters: string[] = [];
  if (states && states.length > 0) filters.push(`state ${states.join("|")}`);
  if (match) filters.push(`/${match.source}/`);
  const groups = filterGoroutineGroups(current.snapshot.groups, filter);
  const notes = notesFor(current.name, current.snapshot);
  const view: import("../../render/goroutines-report.js").GoroutinesView = {
    source: current.name,
    snapshot: current.snapshot,
    groups,
    filters,
    notes,
    limit,
    depth,
  };
  if (base) {
    notes.push(...notesFor(base.name, base.snapshot));
    view.base = { source: base.name, snapshot: base.snapshot };
    view.diff = diffGoroutineGroups(filterGoroutineGroups(base.snapshot.groups, filter), groups, {
      ignoreArgs,
    });
    if (filters.length > 0) {
      view.diff.baseTotal = filterGoroutineGroups(base.snapshot.groups, filter).reduce(
        (n, g) => n + g.count,
        0,
      );
      view.diff.currentTotal = groups.reduce((n, g) => n + g.count, 0);
      view.diff.delta = view.diff.currentTotal - view.diff.baseTotal;
    }
  }
  if (format === "json") writeJson(render.goroutinesReportJson(view));
  else if (format === "markdown") writeOut(render.renderGoroutinesMarkdown(view));
  else writeOut(render.renderGoroutinesText(view));
}
