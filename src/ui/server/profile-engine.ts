/**
 * The profile views of the UI, computed by the same engine as the CLI reports: profiles are combined
 * as the CLI combines them (drop_frames applied), filtered by prepareReport (sample index,
 * focus/ignore/hide/show), and named by the report graph's node table at the chosen granularity.
 * Every result is cached by its inputs, so switching back and forth recomputes nothing.
 */
import { UsageError } from "../../errors.js";
import type { Granularity } from "../../profile/aggregate.js";
import { granularities } from "../../profile/aggregate.js";
import { columnsFromProfile } from "../../profile/columns.js";
import { applyDropFrames } from "../../profile/drop-frames.js";
import {
  buildFlameDiffTree,
  buildFlameTree,
  buildSandwichTrees,
  type FlameTree,
} from "../../profile/flame-tree.js";
import { compareGoStrings } from "../../profile/go-format.js";
import { accumulateValues, NodeTable, printableName, sortEdges } from "../../profile/graph.js";
import type { Profile } from "../../profile/model.js";
import {
  combineSources,
  type PreparedReport,
  prepareReport,
  type ReportKind,
} from "../../profile/prepare.js";
import { resolveSampleIndex } from "../../profile/sample-index.js";
import { reportGraph } from "../../render/pprof/common.js";
import { buildTopReport } from "../../render/pprof/top.js";
import type {
  CallGraph,
  PeekEntry,
  PeekReport,
  ProfileMeta,
  SourceFile,
  SourceReport,
  TopReport,
  TopRow,
} from "../shared/api-types.js";
import { buildDot } from "./dot.js";
import { encodeFlameTree } from "./flame-encode.js";
import { LruCache } from "./lru.js";
import type { SourceRoots } from "./source-files.js";
import type { ResolvedProfile, Workspace } from "./workspace.js";

/** The refine parameters, named as in pprof's web UI URLs. */
export interface ProfileQuery {
  src: string;
  base: string;
  /** Sample type name or index ("" = the profile's default). */
  si: string;
  f: string;
  i: string;
  h: string;
  s: string;
  g: string;
}

export function profileQueryFrom(params: URLSearchParams): ProfileQuery {
  const get = (key: string) => params.get(key) ?? "";
  return {
    src: get("src"),
    base: get("base"),
    si: get("si"),
    f: get("f"),
    i: get("i"),
    h: get("h"),
    s: get("s"),
    g: get("g"),
  };
}

const MAX_TOP_ROWS = 5000;
const MAX_PEEK_ENTRIES = 40;
const MAX_SOURCE_FUNCTIONS = 20;
const SOURCE_MARGIN = 5;
const MAX_GRAPH_NODES = 300;

function granularityOf(g: string): Granularity {
  if (g === "") return "functions";
  if (!(granularities as string[]).includes(g)) {
    throw new UsageError(`granularity must be one of ${granularities.join(", ")}, not "${g}"`);
  }
  return g as Granularity;
}

interface Prepared {
  resolved: ResolvedProfile;
  report: PreparedReport;
}

export class ProfileEngine {
  private readonly workspace: Workspace;
  private readonly sources: SourceRoots;
  private readonly combined = new LruCache<string, Profile>(8);
  private readonly prepared = new LruCache<string, Prepared>(12);
  private readonly flames = new LruCache<string, { tree: FlameTree; bytes: Uint8Array }>(16);
  private readonly reports = new LruCache<string, unknown>(32);

  constructor(workspace: Workspace, sources: SourceRoots) {
    this.workspace = workspace;
    this.sources = sources;
  }

  /** The profile as the CLI reads it: mappings ensured, drop_frames/keep_frames applied. */
  private combinedProfile(resolved: ResolvedProfile): Profile {
    return this.combined.getOrCompute(`${resolved.ref}|${resolved.version}`, () =>
      combineSources([resolved.profile], [], {}, applyDropFrames),
    );
  }

  private prepare(
    ref: string,
    query: ProfileQuery,
    kind: ReportKind,
    extra: Record<string, unknown> = {},
    sampleType?: string,
  ): Prepared {
    const resolved = this.workspace.resolveProfile(ref);
    const si = sampleType ?? query.si;
    const key = `${resolved.ref}|${resolved.version}|${kind}|${si}|${query.f}|${query.i}|${query.h}|${query.s}|${query.g}|${JSON.stringify(extra)}`;
    return this.prepared.getOrCompute(key, () => {
      const profile = this.combinedProfile(resolved);
      const report = prepareReport(profile, kind, {
        sampleIndex: si === "" ? undefined : si,
        focus: query.f || undefined,
        ignore: query.i || undefined,
        hide: query.h || undefined,
        show: query.s || undefined,
        granularity: kind === "list" ? undefined : granularityOf(query.g),
        ...extra,
      });
      return { resolved, report };
    });
  }

  /** Target and (for a diff) base, the base on the target's sample type, matched by name. */
  private prepareBoth(
    query: ProfileQuery,
    kind: ReportKind,
    extra: Record<string, unknown> = {},
  ): { target: Prepared; base?: Prepared } {
    const target = this.prepare(query.src, query, kind, extra);
    if (!query.base) return { target };
    const typeName = target.report.profile.sampleTypes[target.report.sampleIndex]!.type;
    const base = this.prepare(query.base, query, kind, extra, typeName);
    return { target, base };
  }

  meta(ref: string): ProfileMeta {
    const resolved = this.workspace.resolveProfile(ref);
    return this.cached(`${resolved.ref}|${resolved.version}|meta`, () => this.computeMeta(resolved));
  }

  private computeMeta(resolved: ResolvedProfile): ProfileMeta {
    const profile = resolved.profile;
    const totals = profile.sampleTypes.map(() => 0);
    for (const sample of profile.samples) {
      for (let k = 0; k < totals.length; k++) totals[k]! += sample.values[k] ?? 0;
    }
    const safe = (n: bigint) => (n === 0n ? null : Number(n));
    return {
      ref: resolved.ref,
      name: resolved.name,
      sampleTypes: profile.sampleTypes.map((t) => ({ type: t.type, unit: t.unit })),
      defaultSampleIndex: resolveSampleIndex(profile, undefined),
      sampleCount: profile.samples.length,
      totals,
      timeNanos: safe(profile.timeNanos),
      durationNanos: safe(profile.durationNanos),
      comments: profile.comments,
    };
  }

  private flameKey(query: ProfileQuery, extra: string): string {
    const target = this.workspace.resolveProfile(query.src);
    const base = query.base ? this.workspace.resolveProfile(query.base) : undefined;
    return `${target.ref}|${target.version}|${base ? `${base.ref}|${base.version}` : ""}|${query.si}|${query.f}|${query.i}|${query.h}|${query.s}|${query.g}|${extra}`;
  }

  /** The flame tree for the query (diff tree when `base` is set). */
  flameTree(query: ProfileQuery): FlameTree {
    return this.flameEntry(query).tree;
  }

  /** The flame tree in its binary wire form. */
  flameBytes(query: ProfileQuery): Uint8Array {
    return this.flameEntry(query).bytes;
  }

  private flameEntry(query: ProfileQuery): { tree: FlameTree; bytes: Uint8Array } {
    return this.flames.getOrCompute(this.flameKey(query, ""), () => {
      const { target, base } = this.prepareBoth(query, "top");
      const granularity = granularityOf(query.g);
      const tree = base
        ? buildFlameDiffTree(base.report.profile, target.report.profile, {
            sampleIndex: target.report.sampleIndex,
            baseSampleIndex: base.report.sampleIndex,
            granularity,
            columns: target.report.columns,
            baseColumns: base.report.columns,
          })
        : buildFlameTree(target.report.profile, {
            sampleIndex: target.report.sampleIndex,
            granularity,
            columns: target.report.columns,
          });
      return { tree, bytes: encodeFlameTree(tree) };
    });
  }

  /** One half of the sandwich view of frame `name`, rooted at the frame. */
  sandwich(
    query: ProfileQuery,
    name: string,
    direction: "callers" | "callees",
  ): { tree: FlameTree; bytes: Uint8Array } {
    return this.flames.getOrCompute(this.flameKey(query, `sandwich|${direction}|${name}`), () => {
      const { target, base } = this.prepareBoth(query, "top");
      const trees = buildSandwichTrees(
        target.report.profile,
        name,
        {
          sampleIndex: target.report.sampleIndex,
          granularity: granularityOf(query.g),
          columns: target.report.columns,
        },
        base
          ? {
              profile: base.report.profile,
              sampleIndex: base.report.sampleIndex,
              columns: base.report.columns,
            }
          : undefined,
      );
      const tree = trees[direction];
      return { tree, bytes: encodeFlameTree(tree, name) };
    });
  }

  private cached<T>(key: string, compute: () => T): T {
    return this.reports.getOrCompute(key, compute) as T;
  }

  top(query: ProfileQuery): TopReport {
    return this.cached(this.flameKey(query, "top"), () => {
      const options = { nodeCount: 0, nodeFraction: 0, edgeFraction: 0 };
      const { target, base } = this.prepareBoth(query, "top", options);
      const targetTop = buildTopReport(target.report);
      const rows = new Map<string, TopRow>();
      for (const row of targetTop.rows)
        rows.set(row.name, { name: row.name, file: "", flat: row.flat, cum: row.cum });
      let baseTotal: number | undefined;
      if (base) {
        const baseTop = buildTopReport(base.report);
        baseTotal = base.report.total;
        for (const row of rows.values()) {
          row.baseFlat = 0;
          row.baseCum = 0;
        }
        for (const row of baseTop.rows) {
          const existing = rows.get(row.name);
          if (existing) {
            existing.baseFlat = row.flat;
            existing.baseCum = row.cum;
          } else {
            rows.set(row.name, {
              name: row.name,
              file: "",
              flat: 0,
              cum: 0,
              baseFlat: row.flat,
              baseCum: row.cum,
            });
          }
        }
      }
      const all = [...rows.values()];
      if (base) {
        // In a diff the interesting rows are the ones that changed most.
        all.sort(
          (a, b) =>
            Math.abs(b.flat - (b.baseFlat ?? 0)) - Math.abs(a.flat - (a.baseFlat ?? 0)) ||
            Math.abs(b.cum - (b.baseCum ?? 0)) - Math.abs(a.cum - (a.baseCum ?? 0)) ||
            compareGoStrings(a.name, b.name),
        );
      }
      const type = target.report.profile.sampleTypes[target.report.sampleIndex]!;
      return {
        sampleType: { type: type.type, unit: type.unit },
        total: target.report.total,
        baseTotal,
        diff: base !== undefined,
        rows: all.slice(0, MAX_TOP_ROWS),
        rowCount: all.length,
      } satisfies TopReport;
    });
  }

  peek(query: ProfileQuery, symbol: string): PeekReport {
    return this.cached(this.flameKey(query, `peek|${symbol}`), () => {
      const { report } = this.prepare(query.src, query, "peek", { symbol });
      const graph = reportGraph(report);
      const rx = report.symbol!;
      const entries: PeekEntry[] = [];
      let matched = 0;
      const { edges } = graph;
      for (const n of graph.nodes) {
        const name = graph.name(n);
        if (!rx.test(name)) continue;
        matched++;
        if (entries.length >= MAX_PEEK_ENTRIES) continue;
        entries.push({
          name,
          file: graph.table.infos[n]!.file,
          flat: graph.flatValue(n),
          cum: graph.cumValue(n),
          callers: sortEdges(graph.inEdges(n), graph).map((e) => ({
            name: graph.name(edges.src[e]!),
            value: edges.weight[e]!,
          })),
          callees: sortEdges(graph.outEdges(n), graph).map((e) => ({
            name: graph.name(edges.dst[e]!),
            value: edges.weight[e]!,
          })),
        });
      }
      const type = report.profile.sampleTypes[report.sampleIndex]!;
      return {
        sampleType: { type: type.type, unit: type.unit },
        total: report.total,
        entries,
        truncated: matched > entries.length,
      } satisfies PeekReport;
    });
  }

  /** Annotated source of the functions matching `symbol` (pprof's list), files read under --source-path. */
  source(query: ProfileQuery, symbol: string): SourceReport {
    return this.cached(this.flameKey(query, `source|${symbol}`), () => {
      const { report } = this.prepare(query.src, query, "list", { symbol });
      const table = new NodeTable(report.profile, {
        fields: report.fields,
        objNames: true,
        trim: { trimPath: report.trimPath, sourcePath: report.sourcePath },
      });
      const values = accumulateValues(report.columns ?? columnsFromProfile(report.profile), table, report);
      const rx = report.symbol!;
      interface LineNode {
        file: string;
        startLine: number;
        lineno: number;
        flat: number;
        cum: number;
        sprint: string;
      }
      const byFunction = new Map<string, LineNode[]>();
      for (let id = 0; id < table.size; id++) {
        const flat = values.flat[id]!;
        const cum = values.cum[id]!;
        if (flat === 0 && cum === 0) continue;
        const info = table.infos[id]!;
        if (!rx.test(info.name) || info.file === "") continue;
        const list = byFunction.get(info.name) ?? [];
        list.push({
          file: info.file,
          startLine: info.startLine,
          lineno: info.lineno,
          flat,
          cum,
          sprint: printableName(info),
        });
        byFunction.set(info.name, list);
      }
      const files: SourceFile[] = [];
      const names = [...byFunction.keys()].sort(compareGoStrings);
      for (const name of names.slice(0, MAX_SOURCE_FUNCTIONS)) {
        const byFile = new Map<string, LineNode[]>();
        for (const node of byFunction.get(name)!) {
          const list = byFile.get(node.file) ?? [];
          list.push(node);
          byFile.set(node.file, list);
        }
        for (const [file, nodes] of [...byFile.entries()].sort((a, b) => compareGoStrings(a[0], b[0]))) {
          files.push(this.sourceFile(name, file, nodes));
        }
      }
      const type = report.profile.sampleTypes[report.sampleIndex]!;
      return {
        sampleType: { type: type.type, unit: type.unit },
        total: report.total,
        files,
        truncated: names.length > MAX_SOURCE_FUNCTIONS,
      } satisfies SourceReport;
    });
  }

  private sourceFile(
    name: string,
    file: string,
    nodes: Array<{ startLine: number; lineno: number; flat: number; cum: number }>,
  ): SourceFile {
    // pprof's range: the function's first line (or the first sample − 5) to the last sample + 5.
    let start = Number.POSITIVE_INFINITY;
    let end = 0;
    const byLine = new Map<number, { flat: number; cum: number }>();
    let flat = 0;
    let cum = 0;
    for (const n of nodes) {
      start = Math.min(start, n.startLine !== 0 ? n.startLine : n.lineno - SOURCE_MARGIN);
      end = Math.max(end, n.lineno + SOURCE_MARGIN);
      const sums = byLine.get(n.lineno) ?? { flat: 0, cum: 0 };
      sums.flat += n.flat;
      sums.cum += n.cum;
      byLine.set(n.lineno, sums);
      flat += n.flat;
      cum += n.cum;
    }
    start = Math.max(1, start);
    const content = this.sources.read(file);
    if ("error" in content) {
      const lines = [...byLine.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([line, sums]) => ({ line, text: "", ...sums }));
      return { path: file, function: name, flat, cum, unavailable: content.error, lines };
    }
    const lines = [];
    for (let lineno = start; lineno <= Math.min(end, content.lines.length); lineno++) {
      const sums = byLine.get(lineno) ?? { flat: 0, cum: 0 };
      lines.push({ line: lineno, text: content.lines[lineno - 1] ?? "", flat: sums.flat, cum: sums.cum });
    }
    return { path: file, function: name, flat, cum, lines };
  }

  graph(query: ProfileQuery, nodeCount: number): CallGraph {
    const count = Math.max(1, Math.min(MAX_GRAPH_NODES, Math.trunc(nodeCount) || 80));
    return this.cached(this.flameKey(query, `graph|${count}`), () => {
      const { report } = this.prepare(query.src, query, "tree", { nodeCount: count });
      const graph = reportGraph(report);
      return buildDot(graph, report);
    });
  }
}
