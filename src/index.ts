// heapscope's library API: everything the CLI does, as typed functions.
// Each layer adds its public functions here.
export * from "./errors.js";
export type * from "./profile/model.js";
export { emptyProfile } from "./profile/model.js";
// Profile codec and inputs (formats/pprof-*, formats/profile-bytes, collect/profile-source).
export { decodeProfile } from "./formats/pprof-proto-decode.js";
export { encodeProfile, encodeProfileGzip } from "./formats/pprof-proto-encode.js";
export { parseLegacyHeapText, type LegacyHeapText } from "./formats/pprof-legacy-heap-text.js";
export { parseProfileBytes, type ParsedProfile, type ParseProfileOptions } from "./formats/profile-bytes.js";
export {
  readProfile,
  readProfileInput,
  splitProfileArgs,
  type ProfileInputOptions,
} from "./collect/profile-source.js";
export { applyDropFrames } from "./profile/drop-frames.js";
// Profile operations and pprof-identical text reports (profile/*, render/pprof/*).
export {
  combineSources,
  prepareReport,
  computeTotal,
  type CombineOptions,
  type PreparedReport,
  type ReportKind,
  type ReportOptions,
} from "./profile/prepare.js";
export {
  mergeProfiles,
  compactProfile,
  combineProfiles,
  compatibilizeSampleTypes,
  scaleProfilesToCommonUnits,
} from "./profile/merge.js";
export { scaleProfile, scaleProfileN, normalizeProfile, setLabel, removeLabel } from "./profile/scale.js";
export {
  filterSamplesByName,
  filterSamplesByTag,
  showFrom,
  pruneFrom,
  compileTagFilter,
  parseTagRange,
  numLabelUnits,
  type NameFilters,
} from "./profile/filter.js";
export { aggregateProfile, aggregationFields, type Granularity } from "./profile/aggregate.js";
export { resolveSampleIndex, sampleIndexFromFlags } from "./profile/sample-index.js";
export { compileGoRegexp } from "./profile/go-regexp.js";
export { scaledLabel, autoLabel, percentage, scaleValue } from "./profile/measurement.js";
export { buildGraph, printableName, type Graph, type NodeInfo } from "./profile/graph.js";
export { columnsFromProfile, decodeColumnarProfile, type SampleColumns } from "./profile/columns.js";
export { buildTopReport, renderTop, renderTopMarkdown, topJson, type TopReport, type TopRow } from "./render/pprof/top.js";
export { renderTree } from "./render/pprof/tree.js";
export { renderTraces } from "./render/pprof/traces.js";
export { renderTags, tagTotals } from "./render/pprof/tags.js";
export { renderRaw } from "./render/pprof/raw.js";
export { renderList, type SourceReader } from "./render/pprof/list.js";
// Benchmarks and the CI gate (formats/go-bench, analysis/benchmath|bench-compare|bench-gate, render/bench-*).
export {
  parseGoBench,
  parseGoBenchText,
  parseGoTestJson,
  type BenchResult,
  type GoBenchFile,
} from "./formats/go-bench.js";
export {
  mannWhitneyUTest,
  summarizeMedian,
  summarizeExact,
  quantileInterval,
  compareMedians,
  compareExact,
  geomean,
} from "./analysis/benchmath.js";
export { compareBenchmarks, type BenchComparison, type BenchRow } from "./analysis/bench-compare.js";
export {
  defaultGatePolicy,
  evaluateGate,
  gateExitCode,
  policyFromConfig,
  type GatePolicy,
  type GateReport,
} from "./analysis/bench-gate.js";
export { renderBenchText } from "./render/bench-text.js";
export { renderBenchMarkdown } from "./render/bench-markdown.js";
export { benchReportJson } from "./render/bench-json.js";
export { runBenchComparison, type BenchRunOptions, type BenchProfile } from "./collect/bench-runner.js";
export {
  allocationSites,
  diffAllocationSites,
  type SiteDiffOptions,
  type SiteDiffReport,
} from "./analysis/bench-alloc-sites.js";
// Runtime signals: MemStats from every source, goroutine dumps of every form (formats/memstats*,
// formats/goroutine-dump, analysis/memstats-health|goroutine-groups, render/memstats|goroutines-report).
export {
  parseLosslessJson,
  readJsonDocuments,
  type JsonValue,
  type JsonObject,
} from "./formats/lossless-json.js";
export {
  detectAndParseMemStats,
  detectAndParseMemStatsSeries,
  parseExpvarMemStats,
  parseExpvarSeries,
  memStatsSampleFromJson,
  parsePrometheusMemStats,
  parsePrometheusMemStatsSeries,
  parseQueryRangeMemStats,
  parseMemStatsLogLines,
  MEMSTATS_FIELDS,
  MEMSTATS_FIELD_UNITS,
  type MemStatsField,
  type MemStatsSample,
  type MemStatsSeries,
  type MemStatsSourceFormat,
  type MemStatsTimeSource,
} from "./formats/memstats.js";
export {
  parseGoroutineDump,
  parseGoroutineDumpStream,
  GoroutineDumpParser,
  goroutineSnapshotFromProfile,
  looksLikeGoroutineDump,
  type Goroutine,
  type GoroutineFrame,
  type GoroutineCreator,
  type GoroutineGroup,
  type GoroutineSnapshot,
  type GoroutineDumpFormat,
  type GroupingOptions,
  type ParseGoroutineDumpOptions,
} from "./formats/goroutine-dump.js";
export {
  groupGoroutines,
  regroupSnapshot,
  filterGoroutineGroups,
  diffGoroutineGroups,
  type GoroutineGroupFilter,
  type GoroutineGroupDiff,
  type GoroutineGroupChange,
} from "./analysis/goroutine-groups.js";
export {
  analyzeMemStats,
  type MemStatsHealth,
  type MemStatsHealthOptions,
  type MemStatsTrend,
  type MemStatsWarning,
  type MemStatsFigures,
} from "./analysis/memstats-health.js";
export { renderMemStatsText, renderMemStatsMarkdown, memStatsReportJson } from "./render/memstats-report.js";
export {
  renderGoroutinesText,
  renderGoroutinesMarkdown,
  goroutinesReportJson,
  type GoroutinesView,
} from "./render/goroutines-report.js";
// Flame trees and the web UI (profile/flame-tree, ui/server).
export {
  buildFlameTree,
  buildFlameDiffTree,
  buildSandwichTrees,
  goPackageOf,
  type FlameTree,
  type FlameTreeOptions,
} from "./profile/flame-tree.js";
export { startUiServer, type UiServer, type UiServerOptions } from "./ui/server/server.js";
export { watchRecordSession } from "./ui/server/live.js";
// Recording (collect/record-session, store/*): record a live program, read recordings.
export {
  RecordSession,
  record,
  DEFAULT_INTERVAL_MS,
  DEFAULT_DUMP_EVERY,
  DEFAULT_MAX_SIZE_BYTES,
  type RecordSessionOptions,
  type RecordSessionEvents,
  type RecordResult,
  type RecordEndReason,
  type LiveStats,
  type SampleEvent,
  type GapEvent,
  type StartedEvent,
} from "./collect/record-session.js";
export { type GcMode, summarizeHeapProfile, summarizeGoroutines } from "./collect/sampler.js";
export { HttpClient, HttpFetchError, type HttpClientOptions } from "./collect/http-client.js";
export { discoverEndpoints, type DiscoveryResult, type EndpointProbe } from "./collect/endpoint-discovery.js";
export { redactCommandLine, redactUrl } from "./collect/redact.js";
export {
  openRecording,
  RecordingReader,
  type RecordingSummary,
  type HeapSnapshotInfo,
  type GoroutineSnapshotInfo,
  type MemStatsRecord,
  type GcCycleRecord,
  type SampleRecord,
  type CollectErrorRecord,
  type GapRecord,
  type ThinningRecord,
} from "./store/recording-reader.js";
export { RecordingWriter } from "./store/recording-writer.js";
export { readRecordingHeapSnapshot, splitRecordingSelector } from "./store/recording-snapshots.js";
export { exportRecording, type ExportResult } from "./store/recording-export.js";
export { RECORDING_SCHEMA_VERSION, RECORDING_FILE_EXTENSION } from "./store/schema.js";
export type * from "./store/types.js";
export { buildInspectReport, renderInspectReport, type InspectReport } from "./render/inspect-report.js";
// gctrace and trend statistics (formats/gctrace, analysis/trend|gc-stats, render/gctrace-report|sparkline).
export {
  GcTraceParser,
  parseGcTrace,
  parseGcTraceLine,
  parseScavengerLine,
  parseByteSize,
  selectTargetRun,
  type GcCycle,
  type GcLineLayout,
  type GcProcessRun,
  type GcTraceParse,
  type GcTraceParserOptions,
  type ScavengerEvent,
  type SkippedLineCounts,
} from "./formats/gctrace.js";
export {
  judgeTrend,
  theilSenSlope,
  mannKendall,
  type TrendPoint,
  type TrendVerdict,
  type TrendOptions,
  type TrendResult,
} from "./analysis/trend.js";
export {
  GcRunAccumulator,
  GcTraceAnalyzer,
  analyzeGcTrace,
  summarizeGcRun,
  liveAtMarkStartBytes,
  type GcRunSummary,
  type GcStatsOptions,
  type GcTraceAnalysis,
  type GcTraceAnalyzeOptions,
  type GcProjection,
  type GcCpuWindow,
} from "./analysis/gc-stats.js";
export { renderGcTraceText, renderGcTraceMarkdown, gcTraceReportJson } from "./render/gctrace-report.js";
export { sparkline, timeSparkline, type SparklineOptions } from "./render/sparkline.js";
// doctor: is it leaking, and what holds the memory (diagnose/*, render/doctor-*).
export { diagnose, FLOORS } from "./diagnose/diagnose.js";
export type {
  DiagnosisInput,
  HeapSnapshotInput,
  GoroutineSnapshotInput,
  MemStatsInput,
  RssInput,
  GcCycleInput,
  TargetExitInput,
} from "./diagnose/input.js";
export type { Diagnosis, Suspect, SuspectKind, Evidence, Hint, Verdict } from "./diagnose/types.js";
export { judgeSignal, type SignalJudgement, type SignalSpec, type SeriesPoint } from "./diagnose/signal-trend.js";
export { judgeLiveHeap } from "./diagnose/live-heap-verdict.js";
export { collectHeapSites, rankSiteGrowth, type SiteGrowth, type HeapSite } from "./diagnose/heap-growth.js";
export { analyzeGoroutines, type GoroutineGroupGrowth } from "./diagnose/goroutine-growth.js";
export {
  frameOrigin,
  parseBuildInfoText,
  readEmbeddedBuildInfo,
  type BuildInfo,
} from "./diagnose/module-path.js";
export { renderDoctorText } from "./render/doctor-text.js";
export { renderDoctorMarkdown } from "./render/doctor-markdown.js";
export { renderDoctorHtml } from "./render/doctor-html.js";
export { doctorJson } from "./render/doctor-json.js";
export { inputFromRecording, inputFromProfiles } from "./cli/doctor-input.js";
