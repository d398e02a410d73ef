/**
 * What kind of input is this? The one place heapscope decides it from an input's first bytes, for
 * every surface that takes "a file" (the CLI, doctor and signal inputs, the UI). Pure: a byte
 * prefix in, a kind out; reading the prefix is the caller's job (SNIFF_BYTES is enough).
 *
 * Binary kinds are told by their magic numbers. Everything else is text, told by its first lines;
 * a kind whose marks can appear anywhere in a long log (gctrace lines among a program's output,
 * `HeapAlloc = …` log lines) is only recognised when they appear in the prefix, so a caller that
 * accepts such logs still tries its parser on "text".
 *
 * Binary or text (looksBinary, one rule for every caller): within the first SNIFF_BYTES bytes, a
 * NUL byte means binary; otherwise the input is binary when more than 2 % of those bytes (and more
 * than 2) are suspicious: C0 control bytes other than tab, line feed, vertical tab, form feed,
 * carriage return and escape (terminal colours are common in logs), DEL, bytes that are not valid
 * UTF-8, and U+FFFD (what invalid bytes became when the text was decoded once already). A
 * multi-byte character cut by the end of the prefix is not held against it.
 *
 * The text marks (looksLikeGoroutineDump and the rest) are exported for the decoders that dispatch
 * on them; they look at most TEXT_MARK_CHARS into the text. This module imports nothing, so any
 * command can sniff without loading a decoder.
 */

/** How many leading bytes the sniffer looks at (and callers should read). */
export const SNIFF_BYTES = 4096;

/** How far into a text its marks are looked for (a goroutine dump after a long log, say). */
const TEXT_MARK_CHARS = 1 << 20;

export type InputKind =
  /** gzip data (1f 8b): inflate it and sniff again. Go serves profiles gzipped. */
  | "gzip"
  /** A heapscope recording: an SQLite database ("SQLite format 3\0"). */
  | "recording"
  /** A heap dump written by Go's runtime/debug.WriteHeapDump ("go1.7 heap dump\n"). */
  | "go-heap-dump"
  /**
   * An uncompressed profile.proto: binary, starting with a well-formed field of the Profile message
   * (Go writes period_type first, 0x5a; other encoders sample_type, 0x0a). A goroutine profile
   * (/debug/pprof/goroutine) is one too: its sample type, known once decoded, says so.
   */
  | "pprof-proto"
  /** A program: ELF, Mach-O or PE (`pprof ./app heap.pb.gz` names the binary first). */
  | "executable"
  /** Other binary data (an image, an archive, …). */
  | "binary"
  /** A legacy text heap profile (`heap profile: …`, `heap_v2/…`; /debug/pprof/heap?debug=1). */
  | "pprof-legacy-heap"
  /** A goroutine dump as text (debug=1, debug=2, a panic's or SIGQUIT's traceback). */
  | "goroutine-dump"
  /** Go test benchmark output, as text (`BenchmarkX  100  12 ns/op`) or `go test -json` events. */
  | "go-bench"
  /** Prometheus query_range (or query) API JSON. */
  | "query-range-json"
  /** expvar /debug/vars JSON (MemStats under "memstats"), one document or a series. */
  | "memstats-json"
  /** Prometheus or OpenMetrics text exposition with Go runtime metrics. */
  | "prometheus-text"
  /** A GODEBUG=gctrace=1 log (`gc 1 @0.012s 2%: …`, scavenger lines), possibly among other output. */
  | "gctrace"
  /** MemStats as log lines (`HeapAlloc = 123`, `Alloc = 512 MiB`). */
  | "memstats-log"
  /** Text heapscope does not recognise from its start. */
  | "text"
  /** Nothing at all. */
  | "empty";

const KIND_DESCRIPTIONS: Record<InputKind, string> = {
  gzip: "gzip data",
  recording: "a heapscope recording",
  "go-heap-dump": "a Go heap dump (runtime/debug.WriteHeapDump)",
  "pprof-proto": "a pprof profile (profile.proto)",
  executable: "an executable",
  binary: "binary data",
  "pprof-legacy-heap": "a legacy text heap profile",
  "goroutine-dump": "a goroutine dump",
  "go-bench": "go test benchmark output",
  "query-range-json": "Prometheus query_range JSON",
  "memstats-json": "expvar /debug/vars JSON",
  "prometheus-text": "Prometheus metrics text",
  gctrace: "a gctrace log",
  "memstats-log": "MemStats log lines",
  text: "text",
  empty: "empty input",
};

/** The kind in words, for messages such as "a pprof profile (profile.proto), not gctrace text". */
export function describeInputKind(kind: InputKind): string {
  return KIND_DESCRIPTIONS[kind];
}

/** How a legacy heap profile starts (the decoder checks the rest of its header). */
const LEGACY_HEAP_HEADER = /^(?:heap profile: |heap_v2\/)/;
/** Benchmark result lines, or the configuration lines `go test -bench` prints before them. */
const GO_BENCH_LINE = /^(?:Benchmark\S*\s+\d+\s|goos: |goarch: |pkg: )/m;
/** A gctrace cycle line (Go 1.5+ and older), a scavenger line (1.14+) or an scvg line (up to 1.13). */
const GCTRACE_LINE =
  /(?:^|\s)gc #?\d+ @\d+(?:\.\d+)?s \d+%:|\bgc\d+\(\d+\): [\d+]+ us, |(?:^|\s)scav \d+ KiB work|\bscvg-?\d*: /m;
const EXECUTABLE_MAGICS: readonly number[][] = [
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0xfe, 0xed, 0xfa, 0xce], // Mach-O 32
  [0xfe, 0xed, 0xfa, 0xcf], // Mach-O 64
  [0xce, 0xfa, 0xed, 0xfe], // Mach-O 32, little-endian
  [0xcf, 0xfa, 0xed, 0xfe], // Mach-O 64, little-endian
  [0xca, 0xfe, 0xba, 0xbe], // Mach-O universal
  [0x4d, 0x5a], // PE (Windows .exe); binary only, so a text starting "MZ" is not one
];
const GZIP_MAGIC = [0x1f, 0x8b];
const SQLITE_MAGIC = "SQLite format 3\0";
const GO_HEAP_DUMP_MAGIC = "go1.7 heap dump\n";

/** gzip's magic number. */
export function isGzip(head: Uint8Array): boolean {
  return startsWithBytes(head, GZIP_MAGIC);
}

/** An SQLite database header: how a heapscope recording starts. */
export function isRecordingHeader(head: Uint8Array): boolean {
  return startsWithAscii(head, SQLITE_MAGIC);
}

/** The header Go's runtime/debug.WriteHeapDump writes (format unchanged since Go 1.7). */
export function isGoHeapDump(head: Uint8Array): boolean {
  return startsWithAscii(head, GO_HEAP_DUMP_MAGIC);
}

/** The binary-or-text rule above, over bytes. */
export function looksBinary(head: Uint8Array): boolean {
  const n = Math.min(head.length, SNIFF_BYTES);
  let suspicious = 0;
  let i = 0;
  while (i < n) {
    const b = head[i];
    if (b === 0) return true;
    if (b < 0x80) {
      if (isSuspiciousControl(b)) suspicious++;
      i++;
      continue;
    }
    const length = utf8SequenceLength(head, i, n);
    if (length === 0) {
      suspicious++;
      i++;
    } else {
      if (length === 3 && b === 0xef && head[i + 1] === 0xbf && head[i + 2] === 0xbd) suspicious++;
      i += length;
    }
  }
  return suspicious > Math.max(2, n * 0.02);
}

/**
 * The same rule over text already decoded, for callers handed a string: invalid UTF-8 became
 * U+FFFD when it was decoded, and U+FFFD counts as suspicious.
 */
export function looksBinaryText(text: string): boolean {
  return looksBinary(new TextEncoder().encode(text.slice(0, SNIFF_BYTES)));
}

/** The kind of an input, from its first bytes (SNIFF_BYTES of them, or all if it is shorter). */
export function sniffInput(head: Uint8Array): InputKind {
  if (head.length === 0) return "empty";
  if (isGzip(head)) return "gzip";
  if (isRecordingHeader(head)) return "recording";
  if (isGoHeapDump(head)) return "go-heap-dump";
  if (looksBinary(head)) {
    if (EXECUTABLE_MAGICS.some((magic) => startsWithBytes(head, magic))) return "executable";
    return startsLikeProfileProto(head) ? "pprof-proto" : "binary";
  }
  return sniffText(new TextDecoder().decode(head.subarray(0, SNIFF_BYTES)));
}

/** The kind of a text input (for callers that hold a string); never a binary kind but "text". */
export function sniffText(text: string): InputKind {
  // Marks are looked for in the first TEXT_MARK_CHARS only: a 512 MiB log is not copied.
  const start = text
    .slice(0, TEXT_MARK_CHARS)
    .replace(/^\uFEFF/, "")
    .trimStart();
  if (start === "") return "empty";
  if (LEGACY_HEAP_HEADER.test(start)) return "pprof-legacy-heap";
  if (looksLikeGoroutineDump(start)) return "goroutine-dump";
  if (start[0] === "{" || start[0] === "[") return sniffJson(start);
  if (GO_BENCH_LINE.test(start)) return "go-bench";
  if (looksLikePrometheusText(start)) return "prometheus-text";
  if (GCTRACE_LINE.test(start)) return "gctrace";
  if (/"memstats"\s*:/.test(start)) return "memstats-json";
  if (looksLikeMemStatsLogLines(start)) return "memstats-log";
  return "text";
}

function sniffJson(start: string): InputKind {
  const head = start.slice(0, SNIFF_BYTES);
  if (/^\{\s*"(?:Time|Action|Package|Test|Output)"\s*:/.test(head) && /"Action"\s*:/.test(head))
    return "go-bench";
  if (/"resultType"\s*:\s*"(?:matrix|vector)"|^[[{]\s*"status"\s*:\s*"(?:success|error)"/.test(head))
    return "query-range-json";
  if (/"memstats"\s*:/.test(start)) return "memstats-json";
  return "text";
}

/** A goroutine dump's header or first goroutine (debug=1, debug=2, tracebacks, Go 1.26 leak profiles). */
export function looksLikeGoroutineDump(text: string): boolean {
  const head = text.slice(0, TEXT_MARK_CHARS);
  return (
    /^\s*(?:goroutine|goroutineleak) profile: total \d+/m.test(head) ||
    /^\s*goroutine \d+ (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[[^\]]*\]:/m.test(head)
  );
}

/** A Prometheus text exposition mentioning a Go runtime metric. */
export function looksLikePrometheusText(text: string): boolean {
  const head = text.slice(0, TEXT_MARK_CHARS);
  const hasExpositionLines =
    /^(?:# (?:HELP|TYPE) \S+|[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^\n]*\})? +[-+]?(?:[\d.]+(?:[eE][-+]?\d+)?|NaN|[-+]?Inf))/m.test(
      head,
    );
  return (
    hasExpositionLines &&
    // A Go runtime metric family: client_golang's go_* (under a namespace too), OpenTelemetry's.
    /(?:^|[\s_])go_[a-z]/m.test(head)
  );
}

/** `<MemStats field> = <number>` lines (`HeapAlloc = 123`, `"heap_alloc": 5`, gops output). */
export function looksLikeMemStatsLogLines(text: string): boolean {
  return /(?:^|[\s,;{(])(?:HeapAlloc|TotalAlloc|HeapInuse|HeapIdle|HeapSys|HeapObjects|HeapReleased|NumGC|NextGC|Mallocs|Alloc|heap[-_]alloc|total[-_]alloc|heap[-_]in[-_]?use|heap[-_]objects|num[-_]gc)"?\s*[=:]\s*"?\d/im.test(
    text.slice(0, TEXT_MARK_CHARS),
  );
}

/** Wire types of profile.proto's Profile fields 1–15 (2: length-delimited, 0: varint). */
const PROFILE_FIELD_WIRE_TYPES = [-1, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 2, 0, 0, 0, 2];
/** No top-level field of a real profile (a sample, a location, a string) comes near this. */
const MAX_PROFILE_FIELD_BYTES = 1 << 20;
/** Profile fields that hold messages (ValueType, Sample, Mapping, Location, Function, period_type). */
const PROFILE_MESSAGE_FIELDS = new Set([1, 2, 3, 4, 5, 11]);

/**
 * Whether the prefix parses as Profile fields: each a known field number with its wire type and a
 * plausible length, each message among them that ends inside the prefix made of fields itself, at
 * least three of them complete before the prefix ends (Go starts with
 * period_type, period and sample_type, all small), or all of a shorter input. Real profiles always
 * do; random bytes fail within a field or two.
 */
function startsLikeProfileProto(head: Uint8Array): boolean {
  const end = Math.min(head.length, SNIFF_BYTES);
  let pos = 0;
  let complete = 0;
  while (pos < end) {
    const tag = head[pos++];
    const field = tag >> 3;
    const wireType = tag & 7;
    if (field < 1 || field > 15) return false;
    // comment (13) is repeated int64: packed (2) or not (0).
    if (wireType !== PROFILE_FIELD_WIRE_TYPES[field] && !(field === 13 && wireType === 2)) return false;
    const value = readVarint(head, pos, end);
    if (value === null) return false;
    if (value === undefined) break;
    pos = value.next;
    if (wireType === 2) {
      if (value.value > MAX_PROFILE_FIELD_BYTES) return false;
      const start = pos;
      pos += value.value;
      // A message wholly inside the prefix must itself parse as protobuf fields.
      if (pos <= end && PROFILE_MESSAGE_FIELDS.has(field) && !parsesAsMessage(head, start, pos)) return false;
    }
    if (pos <= end) complete++;
  }
  return complete >= 3 || (pos === head.length && complete > 0);
}

/**
 * Whether bytes[start, end) are a sequence of protobuf fields: field numbers from 1, wire types 0, 1,
 * 2 or 5, varints that end and lengths that fit, ending exactly at `end`. (Zero bytes, for one, are
 * not: field number 0 does not exist.)
 */
function parsesAsMessage(bytes: Uint8Array, start: number, end: number): boolean {
  let pos = start;
  while (pos < end) {
    const tag = readVarint(bytes, pos, end);
    if (!tag || tag.value < 8) return false;
    pos = tag.next;
    const wireType = tag.value % 8;
    if (wireType === 0) {
      const value = readVarint(bytes, pos, end);
      if (!value) return false;
      pos = value.next;
    } else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else if (wireType === 2) {
      const length = readVarint(bytes, pos, end);
      if (!length) return false;
      pos = length.next + length.value;
    } else return false;
  }
  return pos === end;
}

/** A varint at `pos`: its value and where the next field starts; undefined when cut off, null when too long. */
function readVarint(
  bytes: Uint8Array,
  pos: number,
  end: number,
): { value: number; next: number } | null | undefined {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) return undefined;
    const b = bytes[pos + i];
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value, next: pos + i + 1 };
  }
  return null;
}

function isSuspiciousControl(c: number): boolean {
  // Tab, LF, VT, FF, CR (0x09–0x0d) and ESC (0x1b) are text.
  return c < 0x09 || (c > 0x0d && c < 0x20 && c !== 0x1b) || c === 0x7f;
}

/**
 * Length of the valid UTF-8 sequence starting at `i` (2–4), 0 when it is invalid. A sequence cut
 * off by `end` counts as valid: the prefix ended, not the text.
 */
function utf8SequenceLength(bytes: Uint8Array, i: number, end: number): number {
  const b = bytes[i];
  const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (length === 0) return 0;
  for (let k = 1; k < length; k++) {
    if (i + k >= end) return end - i;
    const next = bytes[i + k];
    if ((next & 0xc0) !== 0x80) return 0;
    // Overlong or out-of-range second bytes.
    if (k === 1) {
      if (b === 0xe0 && next < 0xa0) return 0;
      if (b === 0xed && next > 0x9f) return 0;
      if (b === 0xf0 && next < 0x90) return 0;
      if (b === 0xf4 && next > 0x8f) return 0;
    }
  }
  return length;
}

function startsWithBytes(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((byte, i) => head[i] === byte);
}

function startsWithAscii(head: Uint8Array, magic: string): boolean {
  if (head.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[i] !== magic.charCodeAt(i)) return false;
  return true;
}
