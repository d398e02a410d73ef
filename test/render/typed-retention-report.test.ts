/**
 * The typed parts of the retention report (a holder's type, field path, slice figures, the lines to
 * change, the slice findings) in text, Markdown and HTML: shown, map storage collapsed, and the
 * target's untrusted names and source lines escaped (HTML, Markdown) or stripped of control
 * characters (terminal).
 */
import { describe, expect, it } from "vitest";
import type { Holder, RetentionSummary, SliceFinding, SuspectHolder } from "../../src/diagnose/types.js";
import { escapeHtml } from "../../src/render/doctor-html.js";
import { escapeMd } from "../../src/render/doctor-markdown.js";
import {
  heldByHtml,
  heldByMarkdown,
  heldByTextLines,
  holdersHtml,
  holdersMarkdown,
  holdersTextLines,
  pathText,
  retainersTextLines,
} from "../../src/render/retention-report.js";

const hostileType = "map[string]*<script>alert(1)</script>";
const hostileLine = "s.points = s.points[:0] // a|b \u001b[31mred";

const slice = {
  len: 0,
  cap: 287,
  elemBytes: 8,
  arrayBytes: 115_200,
  bytesBeyondLen: 3_040_000,
  objectsBeyondLen: 20_000,
  pinnedBytes: 0,
  pinnedSlices: 0,
};

const holder: Holder = {
  root: "*main.metrics",
  rootKind: "global",
  retainedBytes: 3_160_200,
  objects: 20_149,
  share: 0.97,
  roots: 1,
  path: [
    { bytes: 48, site: null, offset: 0, field: ".series", type: hostileType },
    { bytes: 8, site: null, offset: 16, field: ".dirPtr", type: "[1]*table", mapInternal: true },
    { bytes: 48, site: null, offset: 32, field: "value", type: "main.series" },
    { bytes: 2304, site: null, offset: 16, field: ".points", type: "[287]*main.point" },
  ],
  type: "main.registry",
  slice,
  sourceLines: [{ file: "main.go", line: 53, text: hostileLine }],
};

const finding: SliceFinding = {
  kind: "beyond-len",
  holder: "*main.metrics → .series → value → .points",
  rootKind: "global",
  sliceType: "[]*main.point",
  slices: 50,
  slice,
  sourceLines: holder.sourceLines!,
  hint: {
    title: "*main.metrics → .series → value → .points keeps 2.9 MiB beyond its len",
    hypothesis: "Slots past its len still point at 20000 objects.",
    evidence: [`main.go:53: ${hostileLine}`],
    fix: "Set the dropped slots to nil.",
  },
};

const summary: RetentionSummary = {
  reachableBytes: 3_230_240,
  reachableObjects: 20_404,
  heapAlloc: 3_230_264,
  unreachableBytes: 0,
  sharedBytes: 0,
  roots: { global: 22, stack: 1, closure: 0, finalizer: 0, runtime: 24 },
  holders: [holder],
  runtimeHolders: [],
  limits: [],
  goVersion: "go1.26.8",
  dumpBytes: 4_400_000,
  types: {
    dwarfVersion: 5,
    typedObjects: 20_300,
    typedBytes: 3_200_000,
    rejected: 0,
    unresolvedInterfaces: 0,
  },
  sliceFindings: [finding],
};

const held: SuspectHolder = {
  root: holder.root,
  rootKind: "global",
  path: holder.path,
  retainedBytes: 3_000_000,
  objects: 20_000,
  share: 0.95,
  samples: 400,
  claim: "estimate",
  type: holder.type,
  slice,
  sourceLines: holder.sourceLines!,
};

describe("typed retention in the reports", () => {
  it("paths name fields and types, leaving out the map's own storage; untyped paths are unchanged", () => {
    expect(pathText(holder.path)).toBe(
      `.series (${hostileType}) 48 B → value (main.series) 48 B → .points ([287]*main.point) 2.25 KiB`,
    );
    expect(
      pathText([
        { bytes: 48, site: null, offset: 0 },
        { bytes: 1024, site: "main.f (a.go:3)", offset: 8 },
      ]),
    ).toBe("48 B @+0 → 1 KiB main.f (a.go:3) @+8");
  });

  it("text: type, slice figures and the line to change, without control characters", () => {
    const text = holdersTextLines(summary).join("\n");
    expect(text).toContain("type: main.registry");
    expect(text).toContain("slice: len 0, cap 287 of 8-byte elements; 2.9 MiB in 20000 objects beyond len");
    expect(text).toContain("change: main.go:53: s.points = s.points[:0]");
    expect(text).not.toContain("\u001b");
    const retainers = retainersTextLines(summary).join("\n");
    expect(retainers).toContain(`* ${finding.hint.title} (beyond-len)`);
    expect(retainers).toContain("fix: Set the dropped slots to nil.");
    expect(retainers).not.toContain("\u001b");
    const heldText = heldByTextLines([held], undefined).join("\n");
    expect(heldText).toContain("type: main.registry");
    expect(heldText).not.toContain("\u001b");
  });

  it("Markdown: escaped, and table cells keep their pipes escaped", () => {
    const md = [...holdersMarkdown(summary, escapeMd), ...heldByMarkdown([held], undefined, escapeMd)].join(
      "\n",
    );
    expect(md).toContain("type main.registry");
    expect(md).not.toContain("<script>");
    const row = md.split("\n").find((l) => l.startsWith("| 3.01 MiB"))!;
    // Six unescaped pipes: five cells. The source line's own pipe is escaped.
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(6);
  });

  it("HTML: escaped", () => {
    const html = holdersHtml(summary, escapeHtml) + heldByHtml([held], undefined, escapeHtml);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("type main.registry");
    expect(html).toContain("change main.go:53: s.points = s.points[:0]");
  });
});
