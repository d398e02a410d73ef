/**
 * What types from DWARF add to the retention report, for every surface: a holder's type, its
 * slices' figures (beyond len, pinned) and the statements that reslice it, and the slice findings
 * with their fix. Type names, fields and source lines come from the target: escaped for Markdown and
 * HTML by the caller's `esc`, control characters removed for the terminal.
 */
import type { SliceFinding, TypedHolderDetail } from "../diagnose/types.js";
import { formatBytes } from "../model/units.js";

type Escape = (text: string) => string;

export function plainText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

/** `len 0, cap 4096 of 8-byte elements: 4.1 MiB in 8000 objects beyond len`, or null without a slice. */
export function sliceText(detail: TypedHolderDetail): string | null {
  const s = detail.slice;
  if (!s) return null;
  const parts = [`len ${s.len}, cap ${s.cap} of ${s.elemBytes}-byte elements`];
  if (s.bytesBeyondLen > 0)
    parts.push(`${formatBytes(s.bytesBeyondLen)} in ${s.objectsBeyondLen} objects beyond len`);
  if (s.pinnedBytes > 0)
    parts.push(
      `${formatBytes(s.pinnedBytes)} of ${formatBytes(s.arrayBytes)} pinned by ${s.pinnedSlices} slice(s)`,
    );
  return parts.join("; ");
}

/** `main.go:37: pending = pending[:0]` per statement. */
export function sourceLineTexts(detail: TypedHolderDetail): string[] {
  return (detail.sourceLines ?? []).map((l) => `${l.file}:${l.line}: ${l.text}`);
}

/** The lines under a holder in the terminal: its type, slice figures, statements to change. */
export function typedHolderTextLines(detail: TypedHolderDetail, indent: string): string[] {
  const lines: string[] = [];
  if (detail.type) lines.push(`${indent}type: ${plainText(detail.type)}`);
  const slice = sliceText(detail);
  if (slice) lines.push(`${indent}slice: ${slice}`);
  for (const line of sourceLineTexts(detail)) lines.push(`${indent}change: ${plainText(line)}`);
  return lines;
}

/** The same as one Markdown or HTML fragment (escaped), or "" with nothing typed. */
export function typedHolderInline(detail: TypedHolderDetail, esc: Escape): string {
  const parts: string[] = [];
  if (detail.type) parts.push(`type ${esc(detail.type)}`);
  const slice = sliceText(detail);
  if (slice) parts.push(esc(slice));
  for (const line of sourceLineTexts(detail)) parts.push(`change ${esc(line)}`);
  return parts.join("; ");
}

/** The slice findings as terminal lines (retainers; doctor shows them as hints). */
export function sliceFindingsTextLines(findings: SliceFinding[]): string[] {
  if (findings.length === 0) return [];
  const lines = ["Slices keeping memory:"];
  for (const f of findings) {
    lines.push(`  * ${plainText(f.hint.title)} (${f.kind})`);
    lines.push(`    ${plainText(f.hint.hypothesis)}`);
    for (const e of f.hint.evidence) lines.push(`    evidence: ${plainText(e)}`);
    lines.push(`    fix: ${plainText(f.hint.fix)}`);
  }
  return lines;
}
