// heapscope's library API: everything the CLI does, as typed functions.
// Each layer adds its public functions here.

export {
  allocationSites,
  diffAllocationSites,
  type SiteDiffOptions,
  type SiteDiffReport,
} from "./analysis/bench-alloc-sites.js";
export { type BenchComparison, type BenchRow, compareBenchmarks } from "./analysis/bench-compare.js";
export { evaluateGate, type GateReport, gateExitCode } from "./analysis/bench-gate.js";
export {
  compareExact,
  compareMedians,
  geomean,
  mannWhitneyUTest,
  quantileInterval,
  summarizeExact,
  summarizeMedian,
} from "./analysis/benchmath.js";
export {
  analyzeGcTrace,
  type GcCpuWindow,
  type GcProjection,
  GcRunAccumulator,
  type GcRunSummary,
  type GcStatsOptions,
  type GcTraceAnalysis,
  type GcTraceAnalyzeOptions,
  GcTraceAnalyzer,
  liveAtMarkStartBytes,
  summarizeGcRun,
} from "./analysis/gc-stats.js";
export {
  diffGoroutineGroups,
  filterGoroutineGroups,
  type GoroutineGroupChange,
  type GoroutineGroupDiff,
  type GoroutineGroupFilter,
  groupGoroutines,
  type ReadGoroutinesOptions,
  readGoroutineDump,
  readGoroutineDumpStream,
  readGoroutineProfile,
  regroupSnapshot,
} from "./analysis/goroutine-groups.js";
export {
  analyzeMemStats,
  type MemStatsFigures,
  type MemStatsHealth,
  type MemStatsHealthOptions,
  type MemStatsTrend,
  type MemStatsWarning,
} from "./analysis/memstats-health.js";
export {
  type JudgeOptions,
  judgeTrend,
  lookSchedule,
  mannKendall,
  POLICIES,
  type TrendJudgement,
  type TrendPoint,
  type TrendPolicy,
  type TrendPolicyName,
  type TrendVerdict,
  theilSenSlope,
} from "./analysis/trend.js";
export { type BenchProfile, type BenchRunOptions, runBenchComparison } from "./collect/bench-runner.js";
export { inputFromProfiles, inputFromRecording } from "./collect/doctor-input.js";
export { type DiscoveryResult, discoverEndpoints, type EndpointProbe } from "./collect/endpoint-discovery.js";
export type { GcMode } from "./collect/heap-gc-policy.js";
export { HttpClient, type HttpClientOptions, HttpFetchError } from "./collect/http-client.js";
export {
  type ProfileInputOptions,
  readProfile,
  readProfileInput,
  splitProfileArgs,
} from "./collect/profile-source.js";
// Recording (collect/record-session, store/*): record a live program, read recordings.
export {
  DEFAULT_DUMP_EVERY,
  DEFAULT_INTERVAL_MS,
  DEFAULT_MAX_SIZE_BYTES,
  type GapEvent,
  type LiveStats,
  type RecordEndReason,
  type RecordResult,
  RecordSession,
  type RecordSessionEvents,
  type RecordSessionOptions,
  record,
  type SampleEvent,
  type StartedEvent,
} from "./collect/record-session.js";
export { redactCommandLine, redactUrl } from "./collect/redact.js";
export { summarizeGoroutines, summarizeHeapProfile } from "./collect/sample-summaries.js";
// doctor: is it leaking, and what holds the memory (diagnose/*, render/doctor-*).
export { diagnose } from "./diagnose/diagnose.js";
export { analyzeGoroutines, type GoroutineGroupGrowth } from "./diagnose/goroutine-growth.js";
export { collectHeapSites, type HeapSite, rankSiteGrowth, type SiteGrowth } from "./diagnose/heap-growth.js";
export type {
  DiagnosisInput,
  GcCycleInput,
  GoroutineSnapshotInput,
  HeapSnapshotInput,
  MemStatsInput,
  RssInput,
  TargetExitInput,
} from "./diagnose/input.js";
export { judgeLiveHeap } from "./diagnose/live-heap-verdict.js";
export {
  type BuildInfo,
  frameOrigin,
  parseBuildInfoText,
  readEmbeddedBuildInfo,
} from "./diagnose/module-path.js";
export { attributeNetGrowth, type NetGrowthAttribution, type SiteMove } from "./diagnose/net-growth.js";
export {
  judgeSignal,
  type SeriesPoint,
  type SignalJudgement,
  type SignalLook,
  type SignalSpec,
} from "./diagnose/signal-trend.js";
export type {
  Diagnosis,
  Evidence,
  HeapMovement,
  HeapSuspectDetail,
  Hint,
  LiveHeapSite,
  Suspect,
  SuspectKind,
  SuspectLine,
  Verdict,
} from "./diagnose/types.js";
export * from "./errors.js";
export { policyFromConfig } from "./formats/bench-gate-config.js";
export { parseByteSize } from "./formats/byte-size.js";
// gctrace and trend statistics (formats/gctrace/, analysis/trend|gc-stats, render/gctrace-report|sparkline).
export {
  type GcCycle,
  type GcLineLayout,
  type GcProcessRun,
  type GcTraceParse,
  GcTraceParser,
  type GcTraceParserOptions,
  parseGcTrace,
  parseGcTraceLine,
  parseScavengerLine,
  type ScavengerEvent,
  type SkippedLineCounts,
  selectTargetRun,
} from "./formats/gctrace/index.js";
// Benchmarks and the CI gate (formats/go-bench, analysis/benchmath|bench-compare|bench-gate, render/bench-*).
export {
  type BenchResult,
  type GoBenchFile,
  parseGoBench,
  parseGoBenchText,
  parseGoTestJson,
} from "./formats/go-bench.js";
export { GoroutineDumpParser } from "./formats/goroutine-dump.js";
// Runtime signals: MemStats from every source, goroutine dumps of every form (formats/memstats*,
// formats/goroutine-dump, analysis/memstats-health|goroutine-groups, render/memstats|goroutines-report).
export {
  type JsonObject,
  type JsonValue,
  parseLosslessJson,
  readJsonDocuments,
} from "./formats/lossless-json.js";
export {
  detectAndParseMemStats,
  detectAndParseMemStatsSeries,
  MEMSTATS_FIELD_UNITS,
  MEMSTATS_FIELDS,
  type MemStatsField,
  type MemStatsSample,
  type MemStatsSeries,
  type MemStatsSourceFormat,
  type MemStatsTimeSource,
  memStatsSampleFromJson,
  parseExpvarMemStats,
  parseExpvarSeries,
  parseMemStatsLogLines,
  parsePrometheusMemStats,
  parsePrometheusMemStatsSeries,
  parseQueryRangeMemStats,
} from "./formats/memstats.js";
export { type LegacyHeapText, parseLegacyHeapText } from "./formats/pprof-legacy-heap-text.js";
// Profile codec and inputs (formats/pprof-*, formats/profile-bytes, collect/profile-source).
export {
  type ColumnarProfile,
  decodeProfile,
  decodeProfileColumns,
  type ProfileSampleColumns,
  type SampleLabels,
  samplesFromColumns,
} from "./formats/pprof-proto-decode.js";
export { encodeProfile, encodeProfileGzip } from "./formats/pprof-proto-encode.js";
export {
  inflateGzip,
  type ParsedProfile,
  type ParseProfileOptions,
  parseProfileBytes,
} from "./formats/profile-bytes.js";
// What kind of input a file or stream is, from its first bytes (formats/sniff).
export {
  describeInputKind,
  type InputKind,
  looksLikeGoroutineDump,
  SNIFF_BYTES,
  sniffInput,
  sniffText,
} from "./formats/sniff.js";
export { defaultGatePolicy, type GatePolicy } from "./model/bench-gate-policy.js";
export type {
  Goroutine,
  GoroutineCreator,
  GoroutineDumpFormat,
  GoroutineFrame,
  GoroutineGroup,
  GoroutineSnapshot,
  GroupingOptions,
} from "./model/goroutine.js";
export type * from "./model/recording.js";
export type {
  CollectErrorRecord,
  GapRecord,
  GcCycleRecord,
  GoroutineSnapshotInfo,
  HeapSnapshotInfo,
  MemStatsRecord,
  RecordingSummary,
  SampleRecord,
  ThinningRecord,
} from "./model/recording.js";
export { aggregateProfile, aggregationFields, type Granularity } from "./profile/aggregate.js";
export { columnsFromProfile, type SampleColumns } from "./profile/columns.js";
export { applyDropFrames } from "./profile/drop-frames.js";
export {
  compileTagFilter,
  filterSamplesByName,
  filterSamplesByTag,
  type NameFilters,
  numLabelUnits,
  parseTagRange,
  pruneFrom,
  showFrom,
} from "./profile/filter.js";
// Flame trees and the web UI (profile/flame-tree, ui/server).
export {
  buildFlameDiffTree,
  buildFlameTree,
  buildSandwichTrees,
  type FlameTree,
  type FlameTreeOptions,
  goPackageOf,
} from "./profile/flame-tree.js";
export { compileGoRegexp } from "./profile/go-regexp.js";
export { buildGraph, type Graph, type NodeInfo, printableName } from "./profile/graph.js";
export { autoLabel, percentage, scaledLabel, scaleValue } from "./profile/measurement.js";
export {
  combineProfiles,
  compactProfile,
  compatibilizeSampleTypes,
  mergeProfiles,
  scaleProfilesToCommonUnits,
} from "./profile/merge.js";
export type * from "./profile/model.js";
export { emptyProfile } from "./profile/model.js";
// Profile operations and pprof-identical text reports (profile/*, render/pprof/*).
export {
  type CombineOptions,
  combineSources,
  computeTotal,
  type PreparedReport,
  prepareReport,
  type ReportKind,
  type ReportOptions,
} from "./profile/prepare.js";
export { resolveSampleIndex, sampleIndexFromFlags } from "./profile/sample-index.js";
export { normalizeProfile, removeLabel, scaleProfile, scaleProfileN, setLabel } from "./profile/scale.js";
export { benchReportJson } from "./render/bench-json.js";
export { renderBenchMarkdown } from "./render/bench-markdown.js";
export { renderBenchText } from "./render/bench-text.js";
export { renderDoctorHtml } from "./render/doctor-html.js";
export { doctorJson } from "./render/doctor-json.js";
export { renderDoctorMarkdown } from "./render/doctor-markdown.js";
export { renderDoctorText } from "./render/doctor-text.js";
export { gcTraceReportJson, renderGcTraceMarkdown, renderGcTraceText } from "./render/gctrace-report.js";
export {
  type GoroutinesView,
  goroutinesReportJson,
  renderGoroutinesMarkdown,
  renderGoroutinesText,
} from "./render/goroutines-report.js";
export { buildInspectReport, type InspectReport, renderInspectReport } from "./render/inspect-report.js";
export { memStatsReportJson, renderMemStatsMarkdown, renderMemStatsText } from "./render/memstats-report.js";
export { renderList, type SourceReader } from "./render/pprof/list.js";
export { renderRaw } from "./render/pprof/raw.js";
export { renderTags, tagTotals } from "./render/pprof/tags.js";
export {
  buildTopReport,
  renderTop,
  renderTopMarkdown,
  type TopReport,
  type TopRow,
  topJson,
} from "./render/pprof/top.js";
export { renderTraces } from "./render/pprof/traces.js";
export { renderTree } from "./render/pprof/tree.js";
export { type SparklineOptions, sparkline, timeSparkline } from "./render/sparkline.js";
export { type ExportResult, exportRecording } from "./store/recording-export.js";
export { openRecording, RecordingReader } from "./store/recording-reader.js";
export { readRecordingHeapSnapshot, splitRecordingSelector } from "./store/recording-snapshots.js";
export { RecordingWriter } from "./store/recording-writer.js";
export { RECORDING_FILE_EXTENSION, RECORDING_SCHEMA_VERSION } from "./store/schema.js";
export { watchRecordSession } from "./ui/server/live.js";
export { startUiServer, type UiServer, type UiServerOptions } from "./ui/server/server.js";
