/**
 * From a slice holder to what doctor says: the variable or field whose statements to show (through
 * map values, struct fields, static values), the fix the module's go.mod allows (clear from 1.21,
 * slices.Delete zeroing from 1.22, a loop before; bytes.Clone from 1.20, slices.Clone from 1.21),
 * and the `slice` JSON of a root holding several slices.
 */
import { describe, expect, it } from "vitest";
import type { SliceHolder } from "../../src/analysis/retention/slice-holders.js";
import type { TypedStep } from "../../src/analysis/retention/typed-paths.js";
import {
  assignmentTargetOf,
  sliceJsonForRoot,
  sliceRetentionHint,
} from "../../src/diagnose/slice-retention.js";
import type { RootDescription } from "../../src/model/object-graph.js";

function step(field: string | null, type = "T", mapInternal = false): TypedStep {
  return { field, type, mapInternal };
}

function holder(label: string, path: TypedStep[], extra: Partial<SliceHolder> = {}): SliceHolder {
  const root: RootDescription = { kind: "global", label, node: 1, parentNode: 0 };
  return {
    root,
    rootNodes: [root.node],
    local: null,
    rootAlias: null,
    path,
    holder: label,
    sliceType: "[]*main.event",
    elemBytes: 8,
    len: 0,
    cap: 4096,
    arrayBytes: 32768,
    bytesBeyondLen: 4_000_000,
    objectsBeyondLen: 8000,
    pinnedBytes: 0,
    pinnedSlices: 0,
    slices: 1,
    ...extra,
  };
}

describe("assignmentTargetOf", () => {
  it("a global slice: the variable, in its package", () => {
    expect(assignmentTargetOf(holder("main.pending", [step("")]))).toEqual({
      kind: "variable",
      name: "pending",
      packageName: "main",
      element: false,
    });
    expect(assignmentTargetOf(holder("example.com/svc/internal/cache.entries", [step("")]))).toEqual({
      kind: "variable",
      name: "entries",
      packageName: "cache",
      element: false,
    });
  });

  it("a slice in a struct field, however deep: the field", () => {
    expect(assignmentTargetOf(holder("main.out", [step(""), step(".buf")]))).toEqual({
      kind: "field",
      name: "buf",
      element: false,
    });
    expect(assignmentTargetOf(holder("main.cfg", [step(".inner.list")]))).toMatchObject({
      kind: "field",
      name: "list",
    });
  });

  it("a slice that is a map value or a slice element: an element of its container", () => {
    const inGlobalMap = holder("main.frameHeaders", [step(""), step(".buckets", "b", true), step("value")]);
    expect(assignmentTargetOf(inGlobalMap)).toEqual({
      kind: "variable",
      name: "frameHeaders",
      packageName: "main",
      element: true,
    });
    const inFieldMap = holder("main.reg", [
      step(""),
      step(".byKey"),
      step(".dirPtr", "d", true),
      step("value"),
    ]);
    expect(assignmentTargetOf(inFieldMap)).toEqual({ kind: "field", name: "byKey", element: true });
    expect(assignmentTargetOf(holder("main.reg", [step(""), step(".rows[3]")]))).toEqual({
      kind: "field",
      name: "rows",
      element: true,
    });
    const fieldOfValue = holder("main.reg", [
      step(".series"),
      step(".groups", "g", true),
      step("value.points"),
    ]);
    expect(assignmentTargetOf(fieldOfValue)).toMatchObject({ kind: "field", name: "points" });
  });

  it("nothing for roots that are not named globals", () => {
    expect(assignmentTargetOf(holder("bss+0x220", [step("")], { rootAlias: "*main.metrics" }))).toBeNull();
  });
});

describe("sliceRetentionHint", () => {
  const truncated = holder("main.pending", [step("")]);
  const lines = [{ file: "main.go", line: 31, text: "pending = pending[:0]" }];

  it("fits the fix to the module's Go version", () => {
    expect(sliceRetentionHint(truncated, [1, 19], lines).fix).toContain("for i := range tail");
    expect(sliceRetentionHint(truncated, [1, 19], lines).fix).not.toContain("clear(");
    expect(sliceRetentionHint(truncated, [1, 21], lines).fix).toContain("clear(s[len(s):cap(s)])");
    expect(sliceRetentionHint(truncated, [1, 21], lines).fix).toContain("only from Go 1.22");
    expect(sliceRetentionHint(truncated, [1, 22], lines).fix).toContain("slices.Delete");
    expect(sliceRetentionHint(truncated, undefined, lines).fix).toContain("for i := range tail");
  });

  it("shows the statements found in the source as evidence", () => {
    const hint = sliceRetentionHint(truncated, [1, 22], lines);
    expect(hint.evidence).toContain("main.go:31: pending = pending[:0]");
    expect(hint.title).toBe("main.pending keeps 3.81 MiB beyond its len");
  });

  it("for pinned arrays, copying the part kept out, with the clone the version has", () => {
    const pinned = holder("main.frameHeaders", [step("")], {
      sliceType: "[]uint8",
      elemBytes: 1,
      len: 16,
      cap: 1 << 20,
      bytesBeyondLen: 0,
      objectsBeyondLen: 0,
      pinnedBytes: 40 * ((1 << 20) - 16),
      pinnedSlices: 40,
    });
    expect(sliceRetentionHint(pinned, [1, 19], []).fix).toContain("append([]byte(nil), b[:n]...)");
    expect(sliceRetentionHint(pinned, [1, 20], []).fix).toContain("bytes.Clone(b[:n])");
    const records = { ...pinned, sliceType: "[]main.record", elemBytes: 64 };
    expect(sliceRetentionHint(records, [1, 21], []).fix).toContain("slices.Clone(s[:n])");
    expect(sliceRetentionHint(records, [1, 20], []).fix).toContain("append([]main.record(nil), s[:n]...)");
    expect(sliceRetentionHint(pinned, [1, 19], []).hypothesis).toContain("40 slice(s)");
  });
});

describe("assignmentTargetOf on a stack frame's variable", () => {
  const frameRoot: RootDescription = {
    kind: "stack",
    label: "main.worker (goroutine 7, created by main.main)",
    node: 3,
    parentNode: 2,
    functionName: "main.worker",
  };
  const local = { function: "main.worker", variable: "batch" };

  it("the local variable, scoped to its function", () => {
    const h = holder("main.worker.batch", [step("batch")], { root: frameRoot, local });
    expect(assignmentTargetOf(h)).toEqual({
      kind: "local",
      name: "batch",
      function: "main.worker",
      element: false,
    });
  });

  it("a field of a local struct: the field; an element of a local slice: the local's element", () => {
    expect(assignmentTargetOf(holder("h", [step("req.body")], { root: frameRoot, local }))).toEqual({
      kind: "field",
      name: "body",
      element: false,
    });
    const element = holder("h", [step("bufs[2]")], {
      root: frameRoot,
      local: { ...local, variable: "bufs" },
    });
    expect(assignmentTargetOf(element)).toEqual({
      kind: "local",
      name: "bufs",
      function: "main.worker",
      element: true,
    });
  });
});

describe("sliceJsonForRoot", () => {
  it("sums a root's slice holders, with len and cap of the one keeping most; null for other roots", () => {
    const a = holder("main.x", [step(".a")], {
      len: 1,
      cap: 10,
      bytesBeyondLen: 100,
      objectsBeyondLen: 2,
      arrayBytes: 80,
    });
    const b = holder("main.x", [step(".b")], {
      len: 3,
      cap: 30,
      bytesBeyondLen: 500,
      objectsBeyondLen: 5,
      arrayBytes: 240,
    });
    expect(sliceJsonForRoot([a, b], 1)).toEqual({
      len: 3,
      cap: 30,
      elemBytes: 8,
      arrayBytes: 320,
      bytesBeyondLen: 600,
      objectsBeyondLen: 7,
      pinnedBytes: 0,
      pinnedSlices: 0,
    });
    expect(sliceJsonForRoot([a, b], 2)).toBeNull();
  });

  it("a group of frames (one function's goroutines) answers for each of its roots", () => {
    const frames = holder("main.worker.batch", [step("batch")], { rootNodes: [4, 9, 12], slices: 3 });
    for (const node of [4, 9, 12]) expect(sliceJsonForRoot([frames], node)?.bytesBeyondLen).toBe(4_000_000);
    expect(sliceJsonForRoot([frames], 1)).toBeNull();
  });
});
