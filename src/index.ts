// heapscope's library API: what a program builds with, by task. Everything else in src/ is internal
// and free to change; test/index-api.test.ts pins this list (test/index-api.names.txt).

// Heap profiles: read (file, "-", URL or recording#N) or parse bytes; pprof's reports; sites that grew.
export { diffAllocationSites, type SiteDiffReport } from "./analysis/bench-alloc-sites.js";
// Go benchmarks and the CI gate: parse `go test -bench` output, compare, gate, report; or run both sides.
export { type BenchComparison, compareBenchmarks } from "./analysis/bench-compare.js";
export { evaluateGate, type GateReport } from "./analysis/bench-gate.js";
// GODEBUG=gctrace=1 logs: parse, analyse (whole or streamed), report.
export { analyzeGcTrace, type GcTraceAnalysis, GcTraceAnalyzer } from "./analysis/gc-stats.js";
// Goroutine dumps (debug=1/2 profiles, tracebacks, proto): parse into groups, compare two.
export { diffGoroutineGroups, readGoroutineDump } from "./analysis/goroutine-groups.js";
// runtime.MemStats from expvar, Prometheus, query_range JSON or log lines: parse, judge, report.
export { analyzeMemStats, type MemStatsHealth } from "./analysis/memstats-health.js";
// Go heap dumps (runtime/debug.WriteHeapDump): read, build the object graph, find what retains memory.
export { buildObjectGraph, computeRetention, holdersByRoot } from "./analysis/retention/index.js";
export { runBenchComparison } from "./collect/bench-runner.js";
// doctor: is it leaking, and what holds the memory.
export { inputFromProfiles, inputFromRecording } from "./collect/doctor-input.js";
export { readProfile } from "./collect/profile-source.js";
// Recordings: record a live program into one SQLite file; open one; export its raw contents.
export {
  type RecordResult,
  RecordSession,
  type RecordSessionOptions,
  record,
} from "./collect/record-session.js";
export { diagnose } from "./diagnose/diagnose.js";
export type { DiagnosisInput } from "./diagnose/input.js";
export type { Diagnosis, Hint, Suspect, Verdict } from "./diagnose/types.js";
// Errors: every failure heapscope reports is one of these, its message naming the input.
export {
  FormatError,
  HeapscopeError,
  InputError,
  ProfileDecodeError,
  RecordingError,
  UsageError,
} from "./errors.js";
export { parseGcTrace } from "./formats/gctrace/index.js";
export { type GoBenchFile, parseGoBench } from "./formats/go-bench.js";
export { readHeapDump } from "./formats/heapdump/read-heap-dump.js";
export {
  detectAndParseMemStatsSeries,
  type MemStatsSample,
  type MemStatsSeries,
} from "./formats/memstats.js";
export { type ParsedProfile, parseProfileBytes } from "./formats/profile-bytes.js";
export { defaultGatePolicy, type GatePolicy } from "./model/bench-gate-policy.js";
export type { GcCycle } from "./model/gc-cycle.js";
export type { Goroutine, GoroutineGroup, GoroutineSnapshot } from "./model/goroutine.js";
export type { HeapDump } from "./model/heap-dump.js";
export type { RecordingSummary } from "./model/recording.js";
export type { Location, Profile, Sample } from "./profile/model.js";
export { type PreparedReport, prepareReport, type ReportOptions } from "./profile/prepare.js";
export { benchReportJson } from "./render/bench-json.js";
export { renderBenchMarkdown } from "./render/bench-markdown.js";
export { renderBenchText } from "./render/bench-text.js";
export { renderDoctorHtml } from "./render/doctor-html.js";
export { doctorJson } from "./render/doctor-json.js";
export { renderDoctorMarkdown } from "./render/doctor-markdown.js";
export { renderDoctorText } from "./render/doctor-text.js";
export { gcTraceReportJson, renderGcTraceText } from "./render/gctrace-report.js";
export { memStatsReportJson, renderMemStatsText } from "./render/memstats-report.js";
export { buildTopReport, renderTop, type TopReport, topJson } from "./render/pprof/top.js";
export { renderTraces } from "./render/pprof/traces.js";
export { renderTree } from "./render/pprof/tree.js";
export { exportRecording } from "./store/recording-export.js";
export { openRecording, RecordingReader } from "./store/recording-reader.js";
