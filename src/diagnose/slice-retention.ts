/**
 * What doctor and retainers say about slices that keep memory (analysis/retention/slice-holders.ts):
 * the JSON fields a holder gains (`slice`, `sourceLines`), the statement to look for in the source
 * (the variable or field that holds the slice), and a fix that fits the module's Go version:
 *
 *   clear(s[len(s):cap(s)])        Go ≥ 1.21 (the clear builtin)
 *   slices.Delete                  zeroes the vacated tail from Go 1.22
 *   a loop setting the tail to nil otherwise
 *   copying a small part out       bytes.Clone (Go ≥ 1.20), slices.Clone (Go ≥ 1.21), append(T(nil), s...)
 *   s = nil                        when the slice is no longer needed
 */
import type { SliceHolder } from "../analysis/retention/slice-holders.js";
import type { AssignmentTarget, SourceLine } from "../formats/go-source/go-assignments.js";
import { formatBytes } from "../model/units.js";
import type { Hint, SliceRetentionJson } from "./types.js";

export function sliceJson(holder: SliceHolder): SliceRetentionJson {
  return {
    len: holder.len,
    cap: holder.cap,
    elemBytes: holder.elemBytes,
    arrayBytes: holder.arrayBytes,
    bytesBeyondLen: holder.bytesBeyondLen,
    objectsBeyondLen: holder.objectsBeyondLen,
    pinnedBytes: holder.pinnedBytes,
    pinnedSlices: holder.pinnedSlices,
  };
}

/**
 * The slice findings of one root merged into one `slice` object (a root holding several slices:
 * sums, with len and cap of the slice that keeps the most), or null when it holds none.
 */
export function sliceJsonForRoot(holders: SliceHolder[], rootNode: number): SliceRetentionJson | null {
  const mine = holders.filter((h) => h.rootNodes.includes(rootNode));
  if (mine.length === 0) return null;
  const largest = mine.reduce((a, b) =>
    b.bytesBeyondLen + b.pinnedBytes > a.bytesBeyondLen + a.pinnedBytes ? b : a,
  );
  const sum = (f: (h: SliceHolder) => number) => mine.reduce((n, h) => n + f(h), 0);
  return {
    len: largest.len,
    cap: largest.cap,
    elemBytes: largest.elemBytes,
    arrayBytes: sum((h) => h.arrayBytes),
    bytesBeyondLen: sum((h) => h.bytesBeyondLen),
    objectsBeyondLen: sum((h) => h.objectsBeyondLen),
    pinnedBytes: sum((h) => h.pinnedBytes),
    pinnedSlices: sum((h) => h.pinnedSlices),
  };
}

/**
 * The variable or field whose assignments to show: the slice header's own field (`.points` →
 * field points), or, for a slice that is an element of a map or slice (`value`, `[3]`), that
 * container (`frames[key] = ...`). Null when the path names nothing in the source.
 */
export function assignmentTargetOf(holder: SliceHolder): AssignmentTarget | null {
  const steps = holder.path.filter((s) => !s.mapInternal && s.field !== null);
  for (let i = steps.length - 1, element = false; i >= 0; i--) {
    const parts = fieldParts(steps[i]!.field!);
    // Walk the step's parts from its end: the last named field wins; an element marks `element`.
    for (let p = parts.length - 1; p >= 0; p--) {
      const part = parts[p]!;
      if (part.startsWith(".")) return { kind: "field", name: part.slice(1), element };
      element = true;
    }
    if (i === 0 && parts.length === 0) return rootVariable(holder, element);
  }
  return steps.length === 0 ? null : rootVariable(holder, true);
}

/** ".a[3].b" → [".a", "[3]", ".b"]; "value.points" → ["value", ".points"]. */
function fieldParts(field: string): string[] {
  return field.match(/\.[^.[\]]+|\[\d*\]|^(?:key|value)/g) ?? [];
}

function rootVariable(holder: SliceHolder, element: boolean): AssignmentTarget | null {
  if (holder.local)
    return { kind: "local", name: holder.local.variable, function: holder.local.function, element };
  if (holder.rootAlias !== null || holder.root.kind !== "global") return null;
  const label = holder.root.label;
  const slash = label.lastIndexOf("/");
  const dot = label.indexOf(".", slash + 1);
  if (dot < 0) return null;
  const packageName = label.slice(slash + 1, dot);
  const name = label.slice(dot + 1);
  if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) return null;
  return { kind: "variable", name, packageName, element };
}

/** A hint per slice holder: what keeps the memory and the fix the module's Go version allows. */
export function sliceRetentionHint(
  holder: SliceHolder,
  goVersion: [number, number] | undefined,
  sourceLines: SourceLine[],
): Hint {
  const at = (minor: number) => goVersion !== undefined && (goVersion[0] > 1 || goVersion[1] >= minor);
  const where = sourceLines.map((l) => `${l.file}:${l.line}: ${l.text}`);
  const header = `len ${holder.len}, cap ${holder.cap}`;
  if (holder.bytesBeyondLen > 0) {
    const fixes = at(22)
      ? "Delete with slices.Delete (it zeroes the vacated tail since Go 1.22) and clear the tail after truncating: clear(s[len(s):cap(s)])."
      : at(21)
        ? "Clear the tail after truncating or deleting: clear(s[len(s):cap(s)]) (slices.Delete zeroes it only from Go 1.22)."
        : "Set the dropped slots to nil before shortening the slice: tail := s[len(s):cap(s)]; for i := range tail { tail[i] = nil } (clear needs Go 1.21).";
    return {
      title: `${holder.holder} keeps ${formatBytes(holder.bytesBeyondLen)} beyond its len`,
      hypothesis: `Slots of ${holder.sliceType} past its len (or before its start) still point at ${holder.objectsBeyondLen} objects the program can no longer reach through the slice; the collector keeps them.`,
      evidence: [
        `${holder.slices} slice(s), ${header}, ${formatBytes(holder.arrayBytes)} of backing arrays`,
        ...where,
      ],
      fix: `${fixes} For a queue popped with s = s[1:], set s[0] = nil first. Or set the slice to nil when it is done with.`,
    };
  }
  const bytes = holder.sliceType === "[]uint8";
  const copy = bytes
    ? at(20)
      ? "bytes.Clone(b[:n])"
      : "append([]byte(nil), b[:n]...)"
    : at(21)
      ? "slices.Clone(s[:n])"
      : `append(${holder.sliceType}(nil), s[:n]...)`;
  return {
    title: `${holder.holder} pins ${formatBytes(holder.pinnedBytes)} of backing arrays`,
    hypothesis: `${holder.pinnedSlices} slice(s) of ${holder.sliceType} use a small part (${header}) of arrays they keep whole.`,
    evidence: [
      `${formatBytes(holder.arrayBytes)} of backing arrays for the slices' ${holder.elemBytes}-byte elements`,
      ...where,
    ],
    fix: `Copy the part you keep into its own array: ${copy}; or set the slice to nil when it is done with.`,
  };
}
