/**
 * The legacy text heap profile, `/debug/pprof/heap?debug=1` (`runtime/pprof` writeHeapInternal):
 *
 *   heap profile: 9: 1386080 [200: 180702816] @ heap/1048576
 *   1: 96 [1: 96] @ 0x47ca4c 0x47fe89 0x4e119d 0x4e1645 0x44cf35 0x484cc1
 *   #	0x4e119c	main.(*cache).fill+0x5c	/src/main.go:34
 *   ...
 *   # runtime.MemStats
 *   # Alloc = 7884632
 *
 * Samples, values, locations and mapping are built exactly as pprof's legacy parser builds them
 * (`profile/legacy_profile.go` parseHeap): the header's `heap/<2·rate>` gives the sampling period,
 * each record is unsampled with scaleHeapSample in float64 and truncated, alloc values come before
 * inuse values (and only when the header's alloc totals differ from the inuse ones), every PC is
 * lowered by one to land on the call, locations are shared by address and numbered by first use, and
 * one catch-all mapping covers them. pprof's own heap drop_frames/keep_frames are set too.
 *
 * What pprof skips, this keeps: the `#` symbol lines name each location's function, file and line
 * (inlined calls included), and the `# runtime.MemStats` block is returned as numbers.
 */
import { ProfileDecodeError } from "../errors.js";
import type { Line, Location, Mapping, Profile, ProfileFunction, Sample } from "../profile/model.js";
import { emptyProfile } from "../profile/model.js";
import { goExp } from "./go-math-exp.js";

export interface LegacyHeapText {
  profile: Profile;
  /** `# runtime.MemStats` fields by Go name (`Stack = a / b` becomes StackInuse and StackSys). */
  memStats: Record<string, number | bigint> | undefined;
}

/** Function name given to leaf runtime frames that the Go runtime left out of the `#` lines. */
export const HIDDEN_RUNTIME_FRAME = "runtime.(hidden)";

const HEAP_HEADER = /heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] *@ *(heap[_a-z0-9]*)\/?(\d*)/;
const GROWTH_HEADER = /heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] @ growthz?/;
const FRAGMENTATION_HEADER = /heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] @ fragmentationz?/;
const HEAP_SAMPLE = /(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *] @([ x0-9a-f]*)/;
const HEX_NUMBER = /0x[0-9a-f]+/g;
const MEMORY_MAP_SENTINELS = ["--- Memory map: ---", "MAPPED_LIBRARIES:"];
/**
 * `#	0x4e119c	main.(*cache).fill+0x5c	/src/main.go:34` (columns padded with tabs by a tabwriter), or
 * `#	0x4e119c` for an unknown function.
 */
const SYMBOL_LINE = /^#\t+0x([0-9a-f]+)(?:\t+(.*)\+0x[0-9a-f]+\t+(.*):(\d+))?\s*$/;
const MEMSTAT_LINE = /^# ([A-Za-z][A-Za-z0-9]*) = (.*)$/;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MASK = (1n << 64n) - 1n;

// pprof's heap profile frame filters (legacy_profile.go allocRxStr / allocSkipRxStr).
const ALLOC_DROP_FRAMES = [
  "calloc",
  "cfree",
  "malloc",
  "free",
  "memalign",
  "do_memalign",
  "(__)?posix_memalign",
  "pvalloc",
  "valloc",
  "realloc",
  "tcmalloc::.*",
  "tc_calloc",
  "tc_cfree",
  "tc_malloc",
  "tc_free",
  "tc_memalign",
  "tc_posix_memalign",
  "tc_pvalloc",
  "tc_valloc",
  "tc_realloc",
  "tc_new",
  "tc_delete",
  "tc_newarray",
  "tc_deletearray",
  "tc_new_nothrow",
  "tc_newarray_nothrow",
  "malloc_zone_malloc",
  "malloc_zone_calloc",
  "malloc_zone_valloc",
  "malloc_zone_realloc",
  "malloc_zone_memalign",
  "malloc_zone_free",
  "runtime\\..*",
  "BaseArena::.*",
  "(::)?do_malloc_no_errno",
  "(::)?do_malloc_pages",
  "(::)?do_malloc",
  "DoSampledAllocation",
  "MallocedMemBlock::MallocedMemBlock",
  "_M_allocate",
  "__builtin_(vec_)?delete",
  "__builtin_(vec_)?new",
  "__gnu_cxx::new_allocator::allocate",
  "__libc_malloc",
  "__malloc_alloc_template::allocate",
  "allocate",
  "cpp_alloc",
  "operator new(\\[\\])?",
  "simple_alloc::allocate",
].join("|");
const ALLOC_KEEP_FRAMES = ["runtime\\.panic", "runtime\\.reflectcall", "runtime\\.call[0-9]*"].join("|");

interface SymbolFrame {
  pc: bigint;
  name: string | undefined;
  file: string;
  line: number;
}

interface HeapRecord {
  sample: Sample;
  locations: Location[];
  frames: SymbolFrame[];
}

/** Whether `text` starts like a legacy heap profile (what parseProfileBytes sniffs for). */
export function looksLikeLegacyHeapText(text: string): boolean {
  const firstLine = text.slice(0, 512).split("\n", 1)[0] ?? "";
  return HEAP_HEADER.test(firstLine) || GROWTH_HEADER.test(firstLine) || FRAGMENTATION_HEADER.test(firstLine);
}

export function parseLegacyHeapText(text: string): LegacyHeapText {
  const lines = text.split("\n");
  const header = (lines[0] ?? "").replace(/\r$/, "");
  const profile = emptyProfile();
  profile.periodType = { type: "space", unit: "bytes" };

  let sampling = "";
  let hasAlloc = false;
  const heapHeader = HEAP_HEADER.exec(header);
  if (heapHeader) {
    ({ sampling, period: profile.period, hasAlloc } = readHeapHeader(heapHeader));
  } else if (GROWTH_HEADER.test(header) || FRAGMENTATION_HEADER.test(header)) {
    profile.period = 1n;
  } else {
    throw new ProfileDecodeError(
      'not a legacy heap profile (the first line does not start with "heap profile:")',
    );
  }
  profile.sampleTypes = hasAlloc
    ? [
        { type: "alloc_objects", unit: "count" },
        { type: "alloc_space", unit: "bytes" },
        { type: "inuse_objects", unit: "count" },
        { type: "inuse_space", unit: "bytes" },
      ]
    : [
        { type: "objects", unit: "count" },
        { type: "space", unit: "bytes" },
      ];

  const rate = profile.period;
  const locationsByAddress = new Map<bigint, Location>();
  const records: HeapRecord[] = [];
  let current: HeapRecord | undefined;
  let memStats: Record<string, number | bigint> | undefined;
  let inMemStats = false;

  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === "") {
      current = undefined;
      continue;
    }
    if (line.startsWith("#")) {
      if (line === "# runtime.MemStats") {
        inMemStats = true;
        current = undefined;
        memStats = {};
        continue;
      }
      if (inMemStats && memStats) {
        readMemStat(line, memStats);
        continue;
      }
      if (current) {
        const frame = readSymbolLine(lines[n]!.replace(/\r$/, "").replace(/^\s+/, ""));
        if (frame) current.frames.push(frame);
      }
      continue;
    }
    if (MEMORY_MAP_SENTINELS.some((sentinel) => line.includes(sentinel))) break;
    inMemStats = false;

    const match = HEAP_SAMPLE.exec(line);
    if (!match) {
      throw new ProfileDecodeError(`malformed heap profile line ${n + 1}: ${clip(line)}`);
    }
    const values: bigint[] = [];
    let blockSize = 0n;
    const addValues = (countText: string, sizeText: string, what: string): void => {
      let count = parseInt64(countText, n, line);
      let size = parseInt64(sizeText, n, line);
      if (count === 0n && size !== 0n) {
        throw new ProfileDecodeError(
          `malformed heap profile line ${n + 1}: ${what} count was 0 but ${what} bytes was ${size}`,
        );
      }
      if (count !== 0n) {
        blockSize = size / count;
        if (sampling === "v2") [count, size] = scaleHeapSample(count, size, rate);
      }
      values.push(count, size);
    };
    if (hasAlloc) addValues(match[3]!, match[4]!, "allocation");
    addValues(match[1]!, match[2]!, "inuse");

    const stack: Location[] = [];
    for (const hex of match[5]!.match(HEX_NUMBER) ?? []) {
      if (hex.length > 18 && BigInt(hex) > UINT64_MASK) {
        throw new ProfileDecodeError(`malformed heap profile line ${n + 1}: address ${hex} is over 64 bits`);
      }
      // Return addresses point after the call; one less lands on it (and wraps like uint64).
      const address = (BigInt(hex) - 1n) & UINT64_MASK;
      let location = locationsByAddress.get(address);
      if (!location) {
        location = { id: 0, mapping: undefined, address, lines: [], isFolded: false };
        locationsByAddress.set(address, location);
      }
      stack.push(location);
    }
    const sample: Sample = {
      locations: stack,
      values: values.map(Number),
      labels: new Map(),
      numLabels: new Map([["bytes", [blockSize]]]),
      numUnits: new Map(),
    };
    if (values.some((v) => !Number.isSafeInteger(Number(v)))) sample.exactValues = values;
    profile.samples.push(sample);
    current = { sample, locations: stack, frames: [] };
    records.push(current);
  }

  numberLocationsAndMapping(profile);
  symbolize(profile, records);
  profile.dropFrames = ALLOC_DROP_FRAMES;
  profile.keepFrames = ALLOC_KEEP_FRAMES;
  return { profile, memStats };
}

function readHeapHeader(header: RegExpExecArray): { sampling: string; period: bigint; hasAlloc: boolean } {
  let period = 0n;
  if (header[6]!.length > 0) {
    period = BigInt(header[6]!);
    if (period > INT64_MAX)
      throw new ProfileDecodeError("not a legacy heap profile (sampling rate out of range)");
  }
  // pprof compares the header's totals as text: alloc columns equal to inuse ones (or 0) mean the
  // profile has no separate alloc values.
  const hasAlloc =
    (header[3] !== header[1] && header[3] !== "0") || (header[4] !== header[2] && header[4] !== "0");
  switch (header[5]) {
    case "heapz_v2":
    case "heap_v2":
      return { sampling: "v2", period, hasAlloc };
    case "heapprofile":
      return { sampling: "", period: 1n, hasAlloc };
    case "heap":
      // Go writes 2·MemProfileRate here; pprof halves it back.
      return { sampling: "v2", period: period / 2n, hasAlloc };
    default:
      throw new ProfileDecodeError(`unrecognized heap profile kind "${header[5]}"`);
  }
}

function parseInt64(text: string, lineIndex: number, line: string): bigint {
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new ProfileDecodeError(
      `malformed heap profile line ${lineIndex + 1}: ${clip(line)}: value out of range`,
    );
  }
  return value;
}

/**
 * Undoes heap sampling: a block of average size S is sampled with probability 1 − e^(−S/rate), so
 * counts and bytes are divided by that. float64 arithmetic, Go's exp and truncation toward zero, as
 * pprof does.
 */
export function scaleHeapSample(count: bigint, size: bigint, rate: bigint): [bigint, bigint] {
  if (count === 0n || size === 0n) return [0n, 0n];
  if (rate <= 1n) return [count, size];
  const countFloat = Number(count);
  const sizeFloat = Number(size);
  const averageSize = sizeFloat / countFloat;
  const scale = 1 / (1 - exp(-averageSize / Number(rate)));
  return [float64ToInt64(countFloat * scale), float64ToInt64(sizeFloat * scale)];
}

/**
 * Go's math.Exp, memoized: records of one size class share their average size, and the exact
 * emulation (see go-math-exp.ts) is slow.
 */
const expCache = new Map<number, number>();
function exp(x: number): number {
  let value = expCache.get(x);
  if (value === undefined) {
    value = goExp(x);
    if (expCache.size >= 8192) expCache.clear();
    expCache.set(x, value);
  }
  return value;
}

/** Go's int64(f) on amd64: truncation, with out-of-range values becoming math.MinInt64. */
function float64ToInt64(value: number): bigint {
  if (!Number.isFinite(value) || value >= 2 ** 63 || value < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(value));
}

/** pprof renumbers locations by first use and gives addressed ones a catch-all mapping. */
function numberLocationsAndMapping(profile: Profile): void {
  const seen = new Set<Location>();
  for (const sample of profile.samples) {
    for (const location of sample.locations) {
      if (seen.has(location)) continue;
      seen.add(location);
      location.id = profile.locations.length + 1;
      profile.locations.push(location);
    }
  }
  let catchAll: Mapping | undefined;
  for (const location of profile.locations) {
    if (location.address === 0n) continue;
    if (!catchAll) {
      catchAll = {
        id: 1,
        start: 0n,
        limit: UINT64_MASK,
        offset: 0n,
        file: "",
        buildId: "",
        hasFunctions: false,
        hasFilenames: false,
        hasLineNumbers: false,
        hasInlineFrames: false,
      };
      profile.mappings.push(catchAll);
    }
    location.mapping = catchAll;
  }
}

function readSymbolLine(line: string): SymbolFrame | undefined {
  const match = SYMBOL_LINE.exec(line);
  if (!match) return undefined;
  return {
    pc: BigInt(`0x${match[1]}`),
    name: match[2],
    file: match[3] ?? "",
    line: match[4] === undefined ? 0 : Number(match[4]),
  };
}

/**
 * Attaches each record's `#` frames to its locations. A frame's PC is the location's address (the
 * return address minus one); consecutive frames with one PC are either an inlined chain at one
 * location or recursion over as many locations, told apart by how many locations share that address.
 * Frames the runtime hid get names: leaf runtime frames a placeholder that pprof's drop_frames removes
 * (as the proto profile leaves them out), the root ones runtime.goexit, and those are cut from the
 * samples' stacks, again as in the proto profile.
 */
function symbolize(profile: Profile, records: HeapRecord[]): void {
  const functions = new Map<string, ProfileFunction>();
  const functionFor = (name: string, file: string): ProfileFunction => {
    const key = `${name}\u0000${file}`;
    let fn = functions.get(key);
    if (!fn) {
      fn = { id: functions.size + 1, name, systemName: name, filename: file, startLine: 0 };
      functions.set(key, fn);
    }
    return fn;
  };
  const symbolized = new Set<Location>();
  const hiddenLeaf = new Set<Location>();
  const hiddenRoot = new Set<Location>();
  const trimmedRoots = new Map<HeapRecord, number>();

  for (const record of records) {
    if (record.frames.length === 0) continue;
    const stack = record.locations;
    const matched = new Array<boolean>(stack.length).fill(false);
    let next = 0;
    let f = 0;
    while (f < record.frames.length) {
      const pc = record.frames[f]!.pc;
      let runEnd = f + 1;
      while (runEnd < record.frames.length && record.frames[runEnd]!.pc === pc) runEnd++;
      let at = next;
      while (at < stack.length && stack[at]!.address !== pc && stack[at]!.address !== pc - 1n) at++;
      if (at === stack.length) {
        f = runEnd;
        continue;
      }
      let sameAddress = 1;
      while (at + sameAddress < stack.length && stack[at + sameAddress]!.address === stack[at]!.address)
        sameAddress++;
      const frameCount = runEnd - f;
      const perLocation =
        sameAddress === 1 ? frameCount : frameCount % sameAddress === 0 ? frameCount / sameAddress : 1;
      const locationsUsed = Math.min(sameAddress, Math.ceil(frameCount / perLocation));
      for (let k = 0; k < locationsUsed; k++) {
        const location = stack[at + k]!;
        matched[at + k] = true;
        const first = f + k * perLocation;
        const last = k === locationsUsed - 1 ? runEnd : first + perLocation;
        if (symbolized.has(location)) continue;
        symbolized.add(location);
        const lines: Line[] = [];
        for (let i = first; i < last; i++) {
          const frame = record.frames[i]!;
          if (frame.name === undefined) continue;
          lines.push({ function: functionFor(frame.name, frame.file), line: frame.line, column: 0 });
        }
        location.lines = lines;
      }
      next = at + locationsUsed;
      f = runEnd;
    }
    const firstMatched = matched.indexOf(true);
    const lastMatched = matched.lastIndexOf(true);
    if (firstMatched === -1) continue;
    for (let i = 0; i < firstMatched; i++) hiddenLeaf.add(stack[i]!);
    if (lastMatched < stack.length - 1) {
      for (let i = lastMatched + 1; i < stack.length; i++) hiddenRoot.add(stack[i]!);
      trimmedRoots.set(record, lastMatched + 1);
    }
  }

  for (const location of profile.locations) {
    if (symbolized.has(location)) continue;
    if (hiddenLeaf.has(location)) {
      location.lines = [{ function: functionFor(HIDDEN_RUNTIME_FRAME, ""), line: 0, column: 0 }];
    } else if (hiddenRoot.has(location)) {
      location.lines = [{ function: functionFor("runtime.goexit", ""), line: 0, column: 0 }];
    }
  }

  // The proto heap profile has no runtime.goexit root frame either; the location stays in the list so
  // location IDs remain pprof's.
  for (const [record, length] of trimmedRoots) record.sample.locations = record.locations.slice(0, length);

  // Functions numbered by first use in location order, as pprof's remapFunctionIDs does.
  const ordered: ProfileFunction[] = [];
  const seen = new Set<ProfileFunction>();
  for (const location of profile.locations) {
    for (const line of location.lines) {
      const fn = line.function!;
      if (seen.has(fn)) continue;
      seen.add(fn);
      fn.id = ordered.length + 1;
      ordered.push(fn);
    }
  }
  profile.functions = ordered;
  if (ordered.length > 0) {
    for (const mapping of profile.mappings) {
      mapping.hasFunctions = true;
      mapping.hasFilenames = true;
      mapping.hasLineNumbers = true;
      mapping.hasInlineFrames = true;
    }
  }
}

/** One `# Name = value` line of the MemStats block. Arrays (PauseNs, PauseEnd, BySize) are skipped. */
function readMemStat(line: string, out: Record<string, number | bigint>): void {
  const match = MEMSTAT_LINE.exec(line);
  if (!match) return;
  const name = match[1]!;
  const value = match[2]!.trim();
  const pair = /^(\d+) \/ (\d+)$/.exec(value);
  if (pair) {
    // `Stack = StackInuse / StackSys`, and likewise MSpan and MCache.
    out[`${name}Inuse`] = exactNumber(pair[1]!);
    out[`${name}Sys`] = exactNumber(pair[2]!);
    return;
  }
  if (/^-?\d+$/.test(value)) out[name] = exactNumber(value);
  else if (/^-?\d*\.\d+(e[-+]?\d+)?$/i.test(value) || /^-?\d+e[-+]?\d+$/i.test(value))
    out[name] = Number(value);
  else if (value === "true" || value === "false") out[name] = value === "true" ? 1 : 0;
}

function exactNumber(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
