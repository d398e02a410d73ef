/**
 * Flame trees: a profile's stacks merged into a call tree, stored as flat typed arrays so that the
 * web UI can ship it compactly and draw 100k+ nodes without building objects per node.
 *
 * Nodes are in depth-first preorder with each node's children contiguous and sorted heaviest first
 * (ties by name), so a subtree is the index range [i, subtreeEnd[i]) and a renderer can skip a whole
 * subtree that is too narrow to draw. Node 0 is the synthetic root ("root", the profile total).
 *
 * Frames are read root to leaf; a location with inlined calls contributes one frame per line, the
 * caller (last line) first, so inlined callees are not lost (speedscope keeps only the last line).
 *
 * Widths: `weight` is Σ|value| of the samples through a node, plus Σ|base value| in a diff tree, as
 * pprof's flame graph does for -diff_base; `total`/`self` keep the signed values for the labels.
 */
import { aggregationFields, type Granularity } from "./aggregate.js";
import { columnsFromProfile, type SampleColumns } from "./columns.js";
import { NodeTable, printableName } from "./graph.js";
import type { Profile } from "./model.js";

export interface FlameTreeOptions {
  /** Index into `profile.sampleTypes` of the value to weigh the tree by. */
  sampleIndex: number;
  /** Frame identity and naming, as pprof's reports name nodes (functions by default). */
  granularity?: Granularity;
  /** The profile's samples as columns, when the caller has them (prepareReport does). */
  columns?: SampleColumns;
  /**
   * Rewrites a sample's frames (as name indexes, root first) before they are merged, for the
   * caller/callee (sandwich) trees. Returning undefined drops the sample.
   */
  transformStack?: (frames: Int32Array, length: number) => { frames: Int32Array; length: number } | undefined;
}

export interface FlameTree {
  /** Distinct frame names; `nameIndex` points here. names[0] is "root". */
  names: string[];
  /** Per name: source file of the frame's function ("" when unknown). */
  files: string[];
  /** Per name: the Go package path derived from the function name ("" when none). */
  packages: string[];
  nodeCount: number;
  nameIndex: Int32Array;
  parent: Int32Array;
  depth: Int32Array;
  /** Exclusive end of the node's subtree in preorder. */
  subtreeEnd: Int32Array;
  /** 1 when the node's frame is an inlined call (not the outermost line of its location). */
  inlined: Uint8Array;
  /** Width of the node: Σ|value| (plus Σ|base value| in a diff tree). */
  weight: Float64Array;
  total: Float64Array;
  self: Float64Array;
  /** Present in diff trees only: the base profile's values through the node. */
  baseTotal?: Float64Array;
  baseSelf?: Float64Array;
  maxDepth: number;
  sampleType: { type: string; unit: string };
}

/**
 * The package of a Go function name: `github.com/a/b.(*T).M` → `github.com/a/b`, `main.main` → `main`.
 * Type arguments (`F[go.shape.int]`) and receivers may contain dots and slashes, so cut them first.
 */
export function goPackageOf(name: string): string {
  let end = name.length;
  const bracket = name.indexOf("[");
  if (bracket >= 0) end = bracket;
  const paren = name.indexOf("(");
  if (paren >= 0 && paren < end) end = paren;
  const space = name.indexOf(" ");
  if (space >= 0 && space < end) end = space;
  const head = name.slice(0, end);
  const slash = head.lastIndexOf("/");
  const dot = head.indexOf(".", slash + 1);
  if (dot <= 0) return "";
  return head.slice(0, dot);
}

class NameTable {
  readonly names: string[] = ["root"];
  readonly files: string[] = [""];
  readonly packages: string[] = [""];
  // Index 0 is the synthetic root; a frame that happens to be named "root" gets its own entry.
  private readonly index = new Map<string, number>();

  intern(name: string, file: string, functionName: string): number {
    let id = this.index.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.index.set(name, id);
      this.names.push(name);
      this.files.push(file);
      this.packages.push(goPackageOf(functionName));
    }
    return id;
  }

  lookup(name: string): number | undefined {
    return this.index.get(name);
  }
}

/** Frames of one location, caller first, as name indexes; with inline flags. */
interface LocationFrames {
  names: Int32Array;
  inlined: Uint8Array;
}

/**
 * Frame names of every location, named by the report engine's node table so that the flame graph,
 * top, peek and the call graph agree on what a frame is called at each granularity.
 */
function frameNamer(
  profile: Profile,
  granularity: Granularity,
  table: NameTable,
): (locationIndex: number) => LocationFrames {
  const nodes = new NodeTable(profile, { fields: aggregationFields(granularity, false), objNames: false });
  const nodeNames = new Int32Array(nodes.size).fill(-1);
  const cache: Array<LocationFrames | undefined> = new Array(profile.locations.length);
  return (index) => {
    const location = profile.locations[index]!;
    let frames = cache[index];
    if (frames !== undefined) return frames;
    const first = nodes.locationStart[index]!;
    const count = nodes.locationStart[index + 1]! - first;
    const names = new Int32Array(count);
    const inlined = new Uint8Array(count);
    // Node table order is innermost first (line order); emit the caller first.
    for (let k = 0; k < count; k++) {
      const lineIndex = count - 1 - k;
      const node = nodes.locationNodes[first + lineIndex]!;
      let name = nodeNames[node]!;
      if (name < 0) {
        const fn = location.lines[lineIndex]?.function;
        name = table.intern(printableName(nodes.infos[node]!), fn?.filename ?? "", fn?.name ?? "");
        nodeNames[node] = name;
      }
      names[k] = name;
      inlined[k] = k > 0 ? 1 : 0;
    }
    frames = { names, inlined };
    cache[index] = frames;
    return frames;
  };
}

/** Growable trie built from the samples, in insertion order. */
class TrieBuilder {
  count = 1;
  nameIndex = new Int32Array(1024);
  parent = new Int32Array(1024);
  inlined = new Uint8Array(1024);
  total = new Float64Array(1024);
  self = new Float64Array(1024);
  weight = new Float64Array(1024);
  baseTotal = new Float64Array(1024);
  baseSelf = new Float64Array(1024);
  // Child lookup keyed by parent * 2^26 + name: exact in a double while parent < 2^27.
  private readonly children = new Map<number, number>();

  constructor() {
    this.parent[0] = -1;
  }

  child(parent: number, name: number, inlined: number): number {
    const key = parent * 67108864 + name;
    let node = this.children.get(key);
    if (node === undefined) {
      node = this.count++;
      if (node >= this.nameIndex.length) this.grow();
      this.nameIndex[node] = name;
      this.parent[node] = parent;
      this.inlined[node] = inlined;
      this.children.set(key, node);
    }
    return node;
  }

  private grow(): void {
    const size = this.nameIndex.length * 2;
    const growI32 = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    const growF64 = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.nameIndex = growI32(this.nameIndex);
    this.parent = growI32(this.parent);
    const inl = new Uint8Array(size);
    inl.set(this.inlined);
    this.inlined = inl;
    this.total = growF64(this.total);
    this.self = growF64(this.self);
    this.weight = growF64(this.weight);
    this.baseTotal = growF64(this.baseTotal);
    this.baseSelf = growF64(this.baseSelf);
  }
}

interface SampleSource {
  profile: Profile;
  columns: SampleColumns | undefined;
  sampleIndex: number;
  isBase: boolean;
}

function addSamples(
  source: SampleSource,
  trie: TrieBuilder,
  table: NameTable,
  granularity: Granularity,
  transform: FlameTreeOptions["transformStack"],
): void {
  const { profile, sampleIndex, isBase } = source;
  const columns = source.columns ?? columnsFromProfile(profile);
  const framesOf = frameNamer(profile, granularity, table);
  const { values, stride, stackStart, locationIndex } = columns;
  let stack = new Int32Array(256);
  let stackInlined = new Uint8Array(256);
  for (let s = 0; s < columns.count; s++) {
    const value = values[s * stride + sampleIndex]!;
    if (value === 0) continue;
    // Gather frames root first (stacks are stored leaf first).
    let length = 0;
    for (let l = stackStart[s + 1]! - 1, first = stackStart[s]!; l >= first; l--) {
      const frames = framesOf(locationIndex[l]!);
      const needed = length + frames.names.length;
      if (needed > stack.length) {
        const bigger = new Int32Array(needed * 2);
        bigger.set(stack);
        stack = bigger;
        const biggerInlined = new Uint8Array(needed * 2);
        biggerInlined.set(stackInlined);
        stackInlined = biggerInlined;
      }
      stack.set(frames.names, length);
      stackInlined.set(frames.inlined, length);
      length = needed;
    }
    let names: Int32Array = stack;
    let inlinedFlags: Uint8Array | undefined = stackInlined;
    if (transform) {
      const rewritten = transform(stack, length);
      if (rewritten === undefined) continue;
      names = rewritten.frames;
      length = rewritten.length;
      inlinedFlags = undefined;
    }
    const magnitude = Math.abs(value);
    let node = 0;
    if (isBase) {
      trie.baseTotal[0] += value;
    } else {
      trie.total[0] += value;
    }
    trie.weight[0] += magnitude;
    for (let k = 0; k < length; k++) {
      node = trie.child(node, names[k]!, inlinedFlags ? inlinedFlags[k]! : 0);
      if (isBase) {
        trie.baseTotal[node] += value;
      } else {
        trie.total[node] += value;
      }
      trie.weight[node] += magnitude;
    }
    if (isBase) {
      trie.baseSelf[node] += value;
    } else {
      trie.self[node] += value;
    }
  }
}

/** Reorders the trie into preorder with children heaviest first. */
function finish(
  trie: TrieBuilder,
  table: NameTable,
  sampleType: { type: string; unit: string },
  diff: boolean,
): FlameTree {
  const n = trie.count;
  // Children lists in CSR form.
  const childCount = new Int32Array(n + 1);
  for (let i = 1; i < n; i++) childCount[trie.parent[i]! + 1]++;
  for (let i = 0; i < n; i++) childCount[i + 1] += childCount[i]!;
  const childStart = childCount; // childStart[p] .. childStart[p+1]
  const cursor = childStart.slice(0, n);
  const children = new Int32Array(Math.max(n - 1, 0));
  for (let i = 1; i < n; i++) {
    const p = trie.parent[i]!;
    children[cursor[p]!++] = i;
  }
  const names = table.names;
  const weight = trie.weight;
  const byWeight = (a: number, b: number): number => {
    const d = weight[b]! - weight[a]!;
    if (d !== 0) return d;
    const na = names[trie.nameIndex[a]!]!;
    const nb = names[trie.nameIndex[b]!]!;
    return na < nb ? -1 : na > nb ? 1 : 0;
  };
  for (let p = 0; p < n; p++) {
    const start = childStart[p]!;
    const end = childStart[p + 1]!;
    if (end - start > 1) children.subarray(start, end).sort(byWeight);
  }

  const tree: FlameTree = {
    names: table.names,
    files: table.files,
    packages: table.packages,
    nodeCount: n,
    nameIndex: new Int32Array(n),
    parent: new Int32Array(n),
    depth: new Int32Array(n),
    subtreeEnd: new Int32Array(n),
    inlined: new Uint8Array(n),
    weight: new Float64Array(n),
    total: new Float64Array(n),
    self: new Float64Array(n),
    maxDepth: 0,
    sampleType,
  };
  if (diff) {
    tree.baseTotal = new Float64Array(n);
    tree.baseSelf = new Float64Array(n);
  }
  // Iterative DFS; a node's subtreeEnd is known once all of its descendants are placed.
  const stackOld = new Int32Array(n);
  const stackNew = new Int32Array(n);
  const stackNextChild = new Int32Array(n);
  let top = 0;
  let next = 0;
  const place = (old: number, parentNew: number, depth: number): number => {
    const index = next++;
    tree.nameIndex[index] = trie.nameIndex[old]!;
    tree.parent[index] = parentNew;
    tree.depth[index] = depth;
    tree.inlined[index] = trie.inlined[old]!;
    tree.weight[index] = trie.weight[old]!;
    tree.total[index] = trie.total[old]!;
    tree.self[index] = trie.self[old]!;
    if (tree.baseTotal && tree.baseSelf) {
      tree.baseTotal[index] = trie.baseTotal[old]!;
      tree.baseSelf[index] = trie.baseSelf[old]!;
    }
    if (depth > tree.maxDepth) tree.maxDepth = depth;
    return index;
  };
  stackOld[0] = 0;
  stackNew[0] = place(0, -1, 0);
  stackNextChild[0] = childStart[0]!;
  top = 1;
  while (top > 0) {
    const old = stackOld[top - 1]!;
    const k = stackNextChild[top - 1]!;
    if (k < childStart[old + 1]!) {
      stackNextChild[top - 1] = k + 1;
      const child = children[k]!;
      const placed = place(child, stackNew[top - 1]!, top);
      stackOld[top] = child;
      stackNew[top] = placed;
      stackNextChild[top] = childStart[child]!;
      top++;
    } else {
      tree.subtreeEnd[stackNew[top - 1]!] = next;
      top--;
    }
  }
  return tree;
}

function resolveSampleType(profile: Profile, sampleIndex: number): { type: string; unit: string } {
  const type = profile.sampleTypes[sampleIndex];
  if (type === undefined) {
    throw new RangeError(`sample index ${sampleIndex} out of range (${profile.sampleTypes.length} types)`);
  }
  return { type: type.type, unit: type.unit };
}

/** Builds the flame tree of one profile for one sample type. */
export function buildFlameTree(profile: Profile, options: FlameTreeOptions): FlameTree {
  const sampleType = resolveSampleType(profile, options.sampleIndex);
  const table = new NameTable();
  const trie = new TrieBuilder();
  addSamples(
    { profile, columns: options.columns, sampleIndex: options.sampleIndex, isBase: false },
    trie,
    table,
    options.granularity ?? "functions",
    options.transformStack,
  );
  return finish(trie, table, sampleType, false);
}

/**
 * Builds one tree from two profiles: `total`/`self` from `target`, `baseTotal`/`baseSelf` from `base`,
 * width Σ|target| + Σ|base| so that code that vanished stays visible. Both profiles must have the
 * sample type at their respective indexes (the caller matches them by name).
 */
export function buildFlameDiffTree(
  base: Profile,
  target: Profile,
  options: FlameTreeOptions & { baseSampleIndex?: number; baseColumns?: SampleColumns },
): FlameTree {
  const sampleType = resolveSampleType(target, options.sampleIndex);
  const baseSampleIndex = options.baseSampleIndex ?? options.sampleIndex;
  resolveSampleType(base, baseSampleIndex);
  const table = new NameTable();
  const trie = new TrieBuilder();
  const granularity = options.granularity ?? "functions";
  addSamples(
    { profile: target, columns: options.columns, sampleIndex: options.sampleIndex, isBase: false },
    trie,
    table,
    granularity,
    options.transformStack,
  );
  addSamples(
    { profile: base, columns: options.baseColumns, sampleIndex: baseSampleIndex, isBase: true },
    trie,
    table,
    granularity,
    options.transformStack,
  );
  return finish(trie, table, sampleType, true);
}

/**
 * The sandwich halves for the frame named `name`. The frame itself becomes the root: `callees` merges
 * what runs below its outermost occurrence in each stack, `callers` is the inverted tree of the
 * stacks above its innermost occurrence (nearest caller first). Each sample counts once, so
 * recursion does not inflate the totals; samples without the frame are dropped.
 */
export function sandwichTransforms(
  nameIndexOf: (name: string) => number | undefined,
  name: string,
): { callers: FlameTreeOptions["transformStack"]; callees: FlameTreeOptions["transformStack"] } {
  let wanted: number | undefined;
  const resolve = (): number | undefined => {
    wanted ??= nameIndexOf(name);
    return wanted;
  };
  const callees: FlameTreeOptions["transformStack"] = (frames, length) => {
    const id = resolve();
    if (id === undefined) return undefined;
    for (let k = 0; k < length; k++) {
      if (frames[k] === id) return { frames: frames.subarray(k + 1), length: length - k - 1 };
    }
    return undefined;
  };
  const callers: FlameTreeOptions["transformStack"] = (frames, length) => {
    const id = resolve();
    if (id === undefined) return undefined;
    for (let k = length - 1; k >= 0; k--) {
      if (frames[k] === id) {
        const out = new Int32Array(k);
        for (let j = 0; j < k; j++) out[j] = frames[k - 1 - j]!;
        return { frames: out, length: k };
      }
    }
    return undefined;
  };
  return { callers, callees };
}

/**
 * Builds the caller and callee trees of the frame `name` (sandwich view), each rooted at the frame
 * itself. The name is matched exactly against the granularity's frame names, as the flame graph
 * shows them. With `base`, both trees are diff trees.
 */
export function buildSandwichTrees(
  profile: Profile,
  name: string,
  options: FlameTreeOptions,
  base?: { profile: Profile; sampleIndex: number; columns?: SampleColumns },
): { callers: FlameTree; callees: FlameTree } {
  const build = (direction: "callers" | "callees"): FlameTree => {
    const sampleType = resolveSampleType(profile, options.sampleIndex);
    const table = new NameTable();
    const trie = new TrieBuilder();
    const granularity = options.granularity ?? "functions";
    const transform = sandwichTransforms((n) => table.lookup(n), name)[direction];
    addSamples(
      { profile, columns: options.columns, sampleIndex: options.sampleIndex, isBase: false },
      trie,
      table,
      granularity,
      transform,
    );
    if (base) {
      addSamples(
        { profile: base.profile, columns: base.columns, sampleIndex: base.sampleIndex, isBase: true },
        trie,
        table,
        granularity,
        transform,
      );
    }
    return finish(trie, table, sampleType, base !== undefined);
  };
  return { callers: build("callers"), callees: build("callees") };
}
