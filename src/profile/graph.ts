/**
 * The call graph pprof's text reports are drawn from (internal/graph + report.newTrimmedGraph),
 * built with typed arrays: one node per distinct frame (at the chosen granularity), flat and
 * cumulative values per node, weighted caller→callee edges.
 *
 * pprof rebuilds the graph from the samples after each trimming step. A node's values never change
 * between rebuilds (a sample adds to a node whether or not its neighbours were kept), only the
 * edges do: edges that skip dropped nodes become "residual". So values are accumulated once and
 * edges once, for the final set of kept nodes.
 */
import type { AggregationFields } from "./aggregate.js";
import { columnsFromProfile, type SampleColumns } from "./columns.js";
import { compareGoStrings, hex016 } from "./go-format.js";
import type { Line, Location, Profile } from "./model.js";
import { basePath, cleanPath, trimSourcePath } from "./paths.js";

export interface NodeInfo {
  name: string;
  address: bigint;
  file: string;
  startLine: number;
  lineno: number;
  columnno: number;
  objfile: string;
}

/** pprof's NodeInfo.PrintableName. */
export function printableName(info: NodeInfo): string {
  const parts: string[] = [];
  if (info.address !== 0n) parts.push(hex016(info.address));
  if (info.name !== "") parts.push(info.name);
  if (info.lineno !== 0) {
    let s = `${info.file}:${info.lineno}`;
    if (info.columnno !== 0) s += `:${info.columnno}`;
    parts.push(s);
  } else if (info.file !== "") {
    parts.push(info.file);
  } else if (info.name !== "") {
    // the function name is already there
  } else if (info.objfile !== "") {
    parts.push(`[${basePath(info.objfile)}]`);
  } else {
    parts.push("<unknown>");
  }
  return parts.join(" ");
}

/** Go's fmt.Sprint of a NodeInfo, pprof's last-resort tie breaker. */
function sprintInfo(info: NodeInfo): string {
  return `{${info.name}  ${BigInt.asUintN(64, info.address)} ${info.file} ${info.startLine} ${info.lineno} ${info.columnno} ${info.objfile}}`;
}

export interface NodeTableOptions {
  /** Fields kept by the granularity; undefined keeps everything (addresses granularity). */
  fields: AggregationFields | undefined;
  /** Keep the binary name and start line on every node (pprof's ObjNames, used by `list`). */
  objNames: boolean;
  /** Rewrite file names as report.newGraph does (trimPath); undefined = leave them. */
  trim?: { trimPath: string; sourcePath: string };
}

/**
 * Frames → nodes. `locationNodes` lists, per location (profile.locations order), the node of each
 * of its lines in line order (innermost inlined first); `locationStart` indexes it.
 */
export class NodeTable {
  readonly infos: NodeInfo[] = [];
  private readonly keys = new Map<string, number>();
  readonly locationStart: Int32Array;
  readonly locationNodes: Int32Array;
  /** Location ID → index in profile.locations. */
  private readonly denseIndex: Int32Array | undefined;
  private readonly sparseIndex: Map<number, number> | undefined;

  constructor(profile: Profile, options: NodeTableOptions) {
    const locations = profile.locations;
    let maxId = 0;
    for (const l of locations) if (l.id > maxId) maxId = l.id;
    if (maxId <= locations.length * 4 + 1024) {
      this.denseIndex = new Int32Array(maxId + 1).fill(-1);
      locations.forEach((l, i) => {
        this.denseIndex![l.id] = i;
      });
    } else {
      this.sparseIndex = new Map(locations.map((l, i) => [l.id, i]));
    }
    const fileNames = new Map<string, string>();
    const fileOf = (filename: string): string => {
      let cleaned = fileNames.get(filename);
      if (cleaned === undefined) {
        const trimmed = options.trim
          ? trimSourcePath(filename, options.trim.trimPath, options.trim.sourcePath)
          : filename;
        cleaned = trimmed === "" ? "" : cleanPath(trimmed);
        fileNames.set(filename, cleaned);
      }
      return cleaned;
    };
    const start = new Int32Array(locations.length + 1);
    const nodes: number[] = [];
    const fields = options.fields;
    const emptyLine: Line = { function: undefined, line: 0, column: 0 };
    for (let i = 0; i < locations.length; i++) {
      start[i] = nodes.length;
      const location = locations[i]!;
      let lines = location.lines;
      if (fields && !fields.inlineFrames && lines.length > 1) lines = lines.slice(lines.length - 1);
      if (lines.length === 0) lines = [emptyLine];
      const objfile = location.mapping?.file ?? "";
      const address = !fields || fields.addresses ? location.address : 0n;
      for (const line of lines)
        nodes.push(this.intern(this.nodeInfo(line, address, objfile, fields, options, fileOf)));
    }
    start[locations.length] = nodes.length;
    this.locationStart = start;
    this.locationNodes = Int32Array.from(nodes);
  }

  private nodeInfo(
    line: Line,
    address: bigint,
    objfile: string,
    fields: AggregationFields | undefined,
    options: NodeTableOptions,
    fileOf: (f: string) => string,
  ): NodeInfo {
    const fn = line.function;
    if (!fn) return { name: "", address, file: "", startLine: 0, lineno: 0, columnno: 0, objfile };
    const name = !fields || fields.functionNames ? fn.name : "";
    const filename = !fields || fields.fileNames ? fn.filename : "";
    const lineno = !fields || fields.lineNumbers ? line.line : 0;
    const columnno = !fields || (fields.lineNumbers && fields.columnNumbers) ? line.column : 0;
    const info: NodeInfo = { name, address, file: "", startLine: 0, lineno, columnno, objfile: "" };
    if (filename !== "") info.file = fileOf(filename);
    if (options.objNames || name === "") {
      info.objfile = objfile;
      info.startLine = fn.startLine;
    }
    return info;
  }

  private intern(info: NodeInfo): number {
    const key = `${info.address}\u0000${info.name}\u0000${info.file}\u0000${info.startLine}\u0000${info.lineno}\u0000${info.columnno}\u0000${info.objfile}`;
    let id = this.keys.get(key);
    if (id === undefined) {
      id = this.infos.length;
      this.infos.push(info);
      this.keys.set(key, id);
    }
    return id;
  }

  /** Index in profile.locations of the location with this ID (-1 when unknown). */
  locationIndex(location: Location): number {
    if (this.denseIndex) return this.denseIndex[location.id] ?? -1;
    return this.sparseIndex!.get(location.id) ?? -1;
  }

  get size(): number {
    return this.infos.length;
  }

  private single: Int32Array | undefined;

  /** Per location, its node when it has exactly one (no inlined frames), else -1. */
  singleNodes(): Int32Array {
    if (this.single) return this.single;
    const count = this.locationStart.length - 1;
    const single = new Int32Array(count);
    for (let li = 0; li < count; li++) {
      const first = this.locationStart[li]!;
      single[li] = this.locationStart[li + 1]! - first === 1 ? this.locationNodes[first]! : -1;
    }
    this.single = single;
    return single;
  }
}

export interface ValueOptions {
  sampleIndex: number;
  /** Index of the mean divisor value (pprof always uses 0), or -1 without `--mean`. */
  meanIndex: number;
}

/** Flat and cumulative values of every node (pprof's Node.Flat/FlatDiv/Cum/CumDiv). */
export interface NodeValues {
  flat: Float64Array;
  flatDiv: Float64Array;
  cum: Float64Array;
  cumDiv: Float64Array;
}

/** Node values from sample columns (or, more slowly, from a profile's sample objects). */
export function accumulateValues(
  source: SampleColumns | Profile,
  table: NodeTable,
  options: ValueOptions,
): NodeValues {
  const columns = "stride" in source ? source : columnsFromProfile(source);
  const n = table.size;
  const values: NodeValues = {
    flat: new Float64Array(n),
    flatDiv: new Float64Array(n),
    cum: new Float64Array(n),
    cumDiv: new Float64Array(n),
  };
  if (options.meanIndex >= 0) accumulateWithDivisors(columns, table, options, values);
  else accumulateWeights(columns, table, options.sampleIndex, values.flat, values.cum);
  return values;
}

/**
 * Flat and cum without divisors (all but `--mean`): the hottest loop of a graph report, one pass
 * per frame of every sample. Most locations hold one frame (no inlining), so their node is read
 * from `singleNode` without the inner loop; `seen` stamps count a recursive frame once per sample.
 */
function accumulateWeights(
  columns: SampleColumns,
  table: NodeTable,
  sampleIndex: number,
  flat: Float64Array,
  cum: Float64Array,
): void {
  const { locationStart, locationNodes } = table;
  const singleNode = table.singleNodes();
  const seen = new Int32Array(table.size);
  const { values, stride, stackStart, locationIndex } = columns;
  let stamp = 0;
  for (let s = 0; s < columns.count; s++) {
    const w = values[s * stride + sampleIndex]!;
    if (w === 0) continue;
    stamp++;
    let leaf = -1;
    for (let i = stackStart[s + 1]! - 1, first = stackStart[s]!; i >= first; i--) {
      const li = locationIndex[i]!;
      const node = singleNode[li]!;
      if (node >= 0) {
        if (seen[node] !== stamp) {
          seen[node] = stamp;
          cum[node]! += w;
        }
        leaf = node;
        continue;
      }
      for (let k = locationStart[li + 1]! - 1, firstNode = locationStart[li]!; k >= firstNode; k--) {
        const inlined = locationNodes[k]!;
        if (seen[inlined] !== stamp) {
          seen[inlined] = stamp;
          cum[inlined]! += w;
        }
        leaf = inlined;
      }
    }
    if (leaf >= 0) flat[leaf]! += w;
  }
}

/** Flat and cum with `--mean`'s divisors (pprof's FlatDiv/CumDiv), summed alongside. */
function accumulateWithDivisors(
  columns: SampleColumns,
  table: NodeTable,
  options: ValueOptions,
  { flat, flatDiv, cum, cumDiv }: NodeValues,
): void {
  const seen = new Int32Array(table.size);
  const { locationStart, locationNodes } = table;
  const { values, stride, stackStart, locationIndex } = columns;
  const si = options.sampleIndex;
  const mi = options.meanIndex;
  let stamp = 0;
  for (let s = 0; s < columns.count; s++) {
    const w = values[s * stride + si]!;
    const dw = values[s * stride + mi]!;
    if (w === 0 && dw === 0) continue;
    stamp++;
    let parent = -1;
    for (let i = stackStart[s + 1]! - 1, first = stackStart[s]!; i >= first; i--) {
      const li = locationIndex[i]!;
      const firstNode = locationStart[li]!;
      for (let k = locationStart[li + 1]! - 1; k >= firstNode; k--) {
        const node = locationNodes[k]!;
        if (seen[node] !== stamp) {
          seen[node] = stamp;
          cum[node]! += w;
          cumDiv[node]! += dw;
        }
        parent = node;
      }
    }
    if (parent >= 0) {
      flat[parent]! += w;
      flatDiv[parent]! += dw;
    }
  }
}

/** Go's int64 division (truncates toward zero). */
export function divide(value: number, divisor: number): number {
  return divisor === 0 ? value : Math.trunc(value / divisor);
}

export interface Edges {
  count: number;
  src: Int32Array;
  dst: Int32Array;
  weight: Float64Array;
  weightDiv: Float64Array;
  residual: Uint8Array;
  inline: Uint8Array;
  /** 0 once trimmed away. */
  alive: Uint8Array;
}

/**
 * Caller→callee edges between kept nodes, as pprof's newGraph adds them; an edge over dropped
 * nodes is residual, an edge into an inlined frame is inline. `intoOnly`, when given, limits the
 * edges collected to those ending at the marked nodes (all `top` needs for its inline markers).
 */
export function collectEdges(
  columns: SampleColumns,
  table: NodeTable,
  options: ValueOptions,
  kept: Uint8Array,
  intoOnly?: Uint8Array,
): Edges {
  let capacity = 1024;
  let src = new Int32Array(capacity);
  let dst = new Int32Array(capacity);
  let weight = new Float64Array(capacity);
  let weightDiv = new Float64Array(capacity);
  let residualFlags = new Uint8Array(capacity);
  let inlineFlags = new Uint8Array(capacity);
  let stamps = new Int32Array(capacity);
  let count = 0;
  const index = new PairTable();
  const { locationStart, locationNodes } = table;
  const si = options.sampleIndex;
  const mi = options.meanIndex;
  let stamp = 0;
  const { values, stride, stackStart, locationIndex } = columns;
  const touches = intoOnly && locationsTouching(table, intoOnly);
  for (let s = 0; s < columns.count; s++) {
    const w = values[s * stride + si]!;
    const dw = mi >= 0 ? values[s * stride + mi]! : 0;
    if (w === 0 && dw === 0) continue;
    if (touches && !stackTouches(touches, locationIndex, stackStart[s]!, stackStart[s + 1]!)) continue;
    stamp++;
    let parent = -1;
    let residual = false;
    for (let i = stackStart[s + 1]! - 1, firstFrame = stackStart[s]!; i >= firstFrame; i--) {
      const li = locationIndex[i]!;
      const first = locationStart[li]!;
      const last = locationStart[li + 1]! - 1;
      for (let k = last; k >= first; k--) {
        const node = locationNodes[k]!;
        if (kept[node] === 0) {
          residual = true;
          continue;
        }
        if (parent >= 0 && node !== parent && (intoOnly === undefined || intoOnly[node] === 1)) {
          const e = index.get(parent, node);
          const isInline = k !== last;
          if (e < 0) {
            if (count === capacity) {
              capacity *= 2;
              src = grow(src, capacity);
              dst = grow(dst, capacity);
              weight = grow(weight, capacity);
              weightDiv = grow(weightDiv, capacity);
              residualFlags = grow(residualFlags, capacity);
              inlineFlags = grow(inlineFlags, capacity);
              stamps = grow(stamps, capacity);
            }
            src[count] = parent;
            dst[count] = node;
            weight[count] = w;
            weightDiv[count] = dw;
            residualFlags[count] = residual ? 1 : 0;
            inlineFlags[count] = isInline ? 1 : 0;
            stamps[count] = stamp;
            index.set(parent, node, count);
            count++;
          } else if (stamps[e] !== stamp) {
            stamps[e] = stamp;
            weight[e]! += w;
            weightDiv[e]! += dw;
            if (residual) residualFlags[e] = 1;
            if (!isInline) inlineFlags[e] = 0;
          }
        }
        parent = node;
        residual = false;
      }
    }
  }
  return {
    count,
    src: src.subarray(0, count),
    dst: dst.subarray(0, count),
    weight: weight.subarray(0, count),
    weightDiv: weightDiv.subarray(0, count),
    residual: residualFlags.subarray(0, count),
    inline: inlineFlags.subarray(0, count),
    alive: new Uint8Array(count).fill(1),
  };
}

/** Per location, 1 when one of its frames is a marked node. */
function locationsTouching(table: NodeTable, marked: Uint8Array): Uint8Array {
  const { locationStart, locationNodes } = table;
  const touches = new Uint8Array(locationStart.length - 1);
  for (let li = 0; li < touches.length; li++) {
    for (let k = locationStart[li]!; k < locationStart[li + 1]!; k++) {
      if (marked[locationNodes[k]!] === 1) touches[li] = 1;
    }
  }
  return touches;
}

/** Whether the stack frames [first, end) include a location marked in `touches`. */
function stackTouches(
  touches: Uint8Array,
  locationIndex: SampleColumns["locationIndex"],
  first: number,
  end: number,
): boolean {
  for (let i = first; i < end; i++) if (touches[locationIndex[i]!] === 1) return true;
  return false;
}

/** A hash table from (caller, callee) node pairs to edge numbers, open addressing over typed arrays. */
class PairTable {
  private mask = 1023;
  private size = 0;
  private keyA = new Int32Array(1024);
  private keyB = new Int32Array(1024);
  private value = new Int32Array(1024).fill(-1);

  private slot(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) & this.mask;
  }

  /** The value stored for (a, b), or -1. */
  get(a: number, b: number): number {
    let i = this.slot(a, b);
    for (;;) {
      const v = this.value[i]!;
      if (v < 0 || (this.keyA[i] === a && this.keyB[i] === b)) return v;
      i = (i + 1) & this.mask;
    }
  }

  set(a: number, b: number, v: number): void {
    if ((this.size + 1) * 2 > this.mask) this.rehash();
    let i = this.slot(a, b);
    while (this.value[i]! >= 0 && !(this.keyA[i] === a && this.keyB[i] === b)) i = (i + 1) & this.mask;
    if (this.value[i]! < 0) this.size++;
    this.keyA[i] = a;
    this.keyB[i] = b;
    this.value[i] = v;
  }

  private rehash(): void {
    const { keyA, keyB, value } = this;
    const capacity = (this.mask + 1) * 2;
    this.mask = capacity - 1;
    this.size = 0;
    this.keyA = new Int32Array(capacity);
    this.keyB = new Int32Array(capacity);
    this.value = new Int32Array(capacity).fill(-1);
    for (let i = 0; i < value.length; i++) if (value[i]! >= 0) this.set(keyA[i]!, keyB[i]!, value[i]!);
  }
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (n: number) => T)(capacity);
  next.set(array);
  return next;
}

export interface GraphOptions extends ValueOptions {
  table: NodeTableOptions;
  dropNegative: boolean;
  cumSort: boolean;
  /** 0 = no limit. */
  nodeCount: number;
  nodeFraction: number;
  edgeFraction: number;
  /** Collect only the edges `top` needs (into listed nodes that are inlined somewhere). */
  edgesForInlineMarkersOnly?: boolean;
}

/** A trimmed, sorted graph: what pprof's report.newTrimmedGraph returns. */
export interface Graph {
  table: NodeTable;
  values: NodeValues;
  /** The kept nodes, sorted (pprof's g.Nodes). */
  nodes: number[];
  edges: Edges;
  /** Node count before the node-count limit (after the cum cutoff). */
  origCount: number;
  droppedNodes: number;
  droppedEdges: number;
  name(node: number): string;
  flatValue(node: number): number;
  cumValue(node: number): number;
  /** Surviving edges into / out of a node, unsorted. */
  inEdges(node: number): number[];
  outEdges(node: number): number[];
}

function isNegative(values: NodeValues, n: number): boolean {
  const flat = values.flat[n]!;
  return flat < 0 || (flat === 0 && values.cum[n]! < 0);
}

/** Builds the graph and applies pprof's three trimming steps (cum cutoff, node count, edge cutoff). */
export function buildGraph(profile: Profile, columns: SampleColumns, options: GraphOptions): Graph {
  const table = new NodeTable(profile, options.table);
  const values = accumulateValues(columns, table, options);
  const n = table.size;
  let selected: number[] = [];
  for (let i = 0; i < n; i++) {
    if (values.cum[i] === 0 && values.flat[i] === 0) continue;
    if (options.dropNegative && isNegative(values, i)) continue;
    selected.push(i);
  }
  let totalValue = 0;
  for (const i of selected) totalValue += values.flat[i]!;
  const nodeCutoff = Math.abs(Math.trunc(totalValue * options.nodeFraction));
  const edgeCutoff = Math.abs(Math.trunc(totalValue * options.edgeFraction));
  let droppedNodes = 0;
  // Until pprof rebuilds the graph from a kept set, edges into nodes left out of the node list
  // (zero or, under --drop-negative, negative values) stay; after a rebuild they become residual.
  let rebuilt = false;
  if (nodeCutoff > 0) {
    const above = selected.filter((i) => Math.abs(values.cum[i]!) >= nodeCutoff);
    if (above.length !== selected.length) {
      droppedNodes = selected.length - above.length;
      selected = above;
      rebuilt = true;
    }
  }
  const origCount = selected.length;
  const names: Array<string | undefined> = new Array(n);
  const name = (i: number) => (names[i] ??= printableName(table.infos[i]!));
  sortNodes(selected, table, values, options.cumSort, name);
  if (options.nodeCount > 0 && selected.length > options.nodeCount) {
    selected = selected.slice(0, options.nodeCount);
    sortNodes(selected, table, values, options.cumSort, name);
    rebuilt = true;
  }
  const kept = new Uint8Array(n);
  if (rebuilt) for (const i of selected) kept[i] = 1;
  else kept.fill(1);
  const listed = new Uint8Array(n);
  for (const i of selected) listed[i] = 1;
  let intoOnly: Uint8Array | undefined;
  if (options.edgesForInlineMarkersOnly) {
    intoOnly = inlineTargets(table, options.table.fields);
    for (let i = 0; i < n; i++) intoOnly[i]! &= listed[i]!;
  }
  // Without inlined frames there is nothing to mark: skip the pass over the samples.
  const edges = collectEdges(
    intoOnly && !intoOnly.includes(1) ? emptyColumns : columns,
    table,
    options,
    kept,
    intoOnly,
  );
  let droppedEdges = 0;
  // pprof trims the incoming edges of listed nodes only; edges into unlisted nodes survive.
  for (let e = 0; e < edges.count; e++) {
    if (listed[edges.dst[e]!] === 1 && Math.abs(edges.weight[e]!) < edgeCutoff) {
      edges.alive[e] = 0;
      droppedEdges++;
    }
  }
  let inLists: number[][] | undefined;
  let outLists: number[][] | undefined;
  const buildLists = () => {
    inLists = Array.from({ length: n }, () => []);
    outLists = Array.from({ length: n }, () => []);
    for (let e = 0; e < edges.count; e++) {
      if (edges.alive[e] === 0) continue;
      inLists[edges.dst[e]!]!.push(e);
      outLists[edges.src[e]!]!.push(e);
    }
  };
  return {
    table,
    values,
    nodes: selected,
    edges,
    origCount,
    droppedNodes,
    droppedEdges,
    name,
    flatValue: (i) => divide(values.flat[i]!, values.flatDiv[i]!),
    cumValue: (i) => divide(values.cum[i]!, values.cumDiv[i]!),
    inEdges: (i) => {
      if (!inLists) buildLists();
      return inLists![i]!;
    },
    outEdges: (i) => {
      if (!outLists) buildLists();
      return outLists![i]!;
    },
  };
}

const emptyColumns: SampleColumns = {
  count: 0,
  stride: 0,
  values: new Float64Array(0),
  stackStart: new Int32Array(1),
  locationIndex: new Int32Array(0),
  diffBase: undefined,
};

/** Nodes that appear as an inlined (not outermost) frame somewhere: the only ones with inline edges. */
function inlineTargets(table: NodeTable, fields: AggregationFields | undefined): Uint8Array {
  const marks = new Uint8Array(table.size);
  if (fields && !fields.inlineFrames) return marks;
  const { locationStart, locationNodes } = table;
  for (let li = 0; li + 1 < locationStart.length; li++) {
    const last = locationStart[li + 1]! - 1;
    for (let k = locationStart[li]!; k < last; k++) marks[locationNodes[k]!] = 1;
  }
  return marks;
}

/**
 * pprof's FlatNameOrder / CumNameOrder: |flat| (or |cum|) descending, then printable name, then
 * the other value, then the full node info.
 */
export function sortNodes(
  nodes: number[],
  table: NodeTable,
  values: NodeValues,
  cumSort: boolean,
  name: (i: number) => string,
): void {
  const primary = cumSort ? values.cum : values.flat;
  const secondary = cumSort ? values.flat : values.cum;
  const sprints = new Map<number, string>();
  const sprint = (i: number) => {
    let s = sprints.get(i);
    if (s === undefined) sprints.set(i, (s = sprintInfo(table.infos[i]!)));
    return s;
  };
  nodes.sort((l, r) => {
    const a = Math.abs(primary[l]!);
    const b = Math.abs(primary[r]!);
    if (a !== b) return a > b ? -1 : 1;
    const byName = comparePrintableNames(table.infos[l]!, table.infos[r]!, l, r, name);
    if (byName !== 0) return byName;
    const c = Math.abs(secondary[l]!);
    const d = Math.abs(secondary[r]!);
    if (c !== d) return c > d ? -1 : 1;
    return compareGoStrings(sprint(l), sprint(r));
  });
}

function comparePrintableNames(
  left: NodeInfo,
  right: NodeInfo,
  l: number,
  r: number,
  name: (i: number) => string,
): number {
  if (l === r) return 0;
  if (left.address !== 0n && right.address !== 0n && left.address !== right.address) {
    return BigInt.asUintN(64, left.address) < BigInt.asUintN(64, right.address) ? -1 : 1;
  }
  return compareGoStrings(name(l), name(r));
}

/**
 * pprof's edge order (edgeList.Less): |weight| descending, then caller name, then callee name.
 */
export function sortEdges(edgeIds: number[], graph: Graph): number[] {
  const { edges } = graph;
  return edgeIds.slice().sort((a, b) => {
    const wa = edges.weight[a]!;
    const wb = edges.weight[b]!;
    if (wa !== wb) {
      const x = Math.abs(wa);
      const y = Math.abs(wb);
      if (x !== y) return x > y ? -1 : 1;
    }
    const byFrom = compareGoStrings(graph.name(edges.src[a]!), graph.name(edges.src[b]!));
    if (byFrom !== 0) return byFrom;
    return compareGoStrings(graph.name(edges.dst[a]!), graph.name(edges.dst[b]!));
  });
}
