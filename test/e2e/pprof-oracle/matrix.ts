/**
 * The generated comparison matrix: report × options × fixture. Flags are written the way a user
 * types them for pprof (`-sample_index=alloc_space`); heapscope gets the very same words.
 *
 * Fixtures (written fresh by the Go programs in ./programs on every run):
 *   s1, s2  heapsites heap profiles after phase 1 and 2 (MemProfileRate=1; s2 frees part of s1)
 *   al      heapsites allocs profile (default type alloc_space)
 *   dl      heapsites allocs delta (?seconds=1): has a duration
 *   r1, r2  the same heap profiles at the default sampling rate (scaled, uneven values)
 *   bs      bigstacks: 2^12 distinct stacks
 *   cp      cpulabels CPU profile: string labels (pprof.Do), time units, a duration with a ratio
 *   gr      cpulabels goroutine profile: labelled parked goroutines, count units
 *   cm      s2 written back by `pprof -proto -add_comment=…`: a profile with a comment
 */

export type Report = "top" | "tree" | "peek" | "traces" | "tags" | "raw" | "list";
export type Fixture = "s1" | "s2" | "al" | "dl" | "r1" | "r2" | "bs" | "cp" | "gr" | "cm";

export interface Case {
  id: string;
  report: Report;
  /** The regex of peek and list. */
  regex?: string;
  flags: string[];
  files: Fixture[];
  /** Compare `--proto` output instead of text (see the test). */
  proto?: boolean;
}

const allFixtures: Fixture[] = ["s1", "s2", "al", "dl", "r1", "r2", "bs", "cp", "gr", "cm"];

/** Options for the labelled CPU and goroutine profiles: string-label filters, time units. */
const labelOptionSets: string[][] = [
  ["-tagfocus=worker=a"],
  ["-tagfocus=phase:render"],
  ["-tagignore=worker=b"],
  ["-tagfocus=worker:a,phase:parse"],
  ["-tagfocus=worker=a,c", "-tagignore=slot=1"],
  ["-unit=ms"],
  ["-unit=s"],
  ["-sample_index=samples"],
  ["-mean"],
  ["-lines"],
  ["-focus=render", "-cum"],
];

/** Option sets for the graph reports (top, tree), each a list of pprof flags. */
const graphOptionSets: string[][] = [
  ["-sample_index=alloc_space"],
  ["-sample_index=0"],
  ["-sample_index=inuse_space"],
  ["-inuse_objects"],
  ["-alloc_objects"],
  ["-alloc_space", "-cum"],
  ["-functions"],
  ["-lines"],
  ["-files"],
  ["-filefunctions"],
  ["-addresses"],
  ["-noinlines"],
  ["-lines", "-noinlines"],
  ["-addresses", "-noinlines"],
  ["-focus=phase1"],
  ["-focus=main\\.level"],
  ["-ignore=deep"],
  ["-ignore=runtime"],
  ["-focus=phase", "-ignore=level"],
  ["-focus=heapsites/main\\.go"],
  ["-hide=runtime"],
  ["-hide=main\\.level2"],
  ["-show=main"],
  ["-show=Put|level"],
  ["-show_from=phase1"],
  ["-show_from=level1"],
  ["-prune_from=level2"],
  ["-prune_from=phase1"],
  ["-prune_from=main\\.$"],
  ["-tagfocus=64kb"],
  ["-tagfocus=bytes=:1kb"],
  ["-tagfocus=1kb:"],
  ["-tagfocus=4kb:1mb"],
  ["-tagignore=:512b"],
  ["-tagfocus=bytes=4096"],
  ["-nodecount=1"],
  ["-nodecount=5"],
  ["-nodecount=12", "-cum"],
  ["-cum"],
  ["-nodefraction=0"],
  ["-nodefraction=0.05"],
  ["-nodecount=8", "-edgefraction=0.05"],
  ["-nodefraction=0", "-edgefraction=0"],
  ["-mean"],
  ["-mean", "-alloc_space"],
  ["-mean", "-inuse_objects"],
  ["-unit=kb"],
  ["-unit=mb"],
  ["-unit=b"],
  ["-unit=auto"],
  ["-unit=gb"],
  ["-lines", "-trim_path={root}"],
  ["-lines", "-source_path={root}/test"],
  ["-drop_negative"],
];

/** The subset also run on the sampled fixture (uneven values exercise rounding and units). */
const sampledOptionSets = new Set([
  "-sample_index=alloc_space",
  "-inuse_objects",
  "-alloc_objects",
  "-lines",
  "-noinlines",
  "-mean",
  "-mean -alloc_space",
  "-unit=kb",
  "-unit=auto",
  "-nodecount=5",
  "-nodefraction=0",
  "-tagfocus=4kb:1mb",
]);

const diffOptionSets: string[][] = [
  ["-diff_base=s1"],
  ["-base=s1"],
  ["-base=s1", "-normalize"],
  ["-diff_base=s1", "-normalize"],
  ["-diff_base=s1", "-drop_negative"],
  ["-diff_base=s1", "-cum"],
  ["-diff_base=s1", "-nodecount=6"],
  ["-diff_base=s1", "-alloc_space"],
  ["-diff_base=s1", "-nodefraction=0"],
  ["-base=s2"],
];

const otherReportOptionSets: string[][] = [
  ["-focus=phase1"],
  ["-tagfocus=64kb"],
  ["-tagignore=:1kb"],
  ["-noinlines"],
  ["-hide=runtime"],
  ["-show_from=main"],
  ["-prune_from=level2"],
  ["-sample_index=alloc_space"],
  ["-lines"],
  ["-mean"],
  ["-unit=kb"],
];

const protoOptionSets: string[][] = [
  [],
  ["-focus=phase1"],
  ["-noinlines"],
  ["-lines"],
  ["-hide=runtime", "-show_from=main"],
  ["-tagfocus=:1kb"],
  ["-prune_from=phase"],
  ["-diff_base=s1"],
  ["-base=s1"],
  ["-ignore=deep", "-alloc_space"],
];

function key(flags: string[]): string {
  return flags.join(" ");
}

export function buildMatrix(): Case[] {
  const cases: Case[] = [];
  const add = (c: Omit<Case, "id">) => {
    const args = [c.regex !== undefined ? `${c.report}=${c.regex}` : c.report, ...c.flags, ...c.files].join(
      " ",
    );
    cases.push({ ...c, id: `${c.proto ? "proto " : ""}${args}` });
  };
  // A. Every report on every fixture, default options.
  for (const file of allFixtures) {
    for (const report of ["top", "tree", "traces", "tags", "raw"] as const)
      add({ report, flags: [], files: [file] });
    add({ report: "peek", regex: "main\\.", flags: [], files: [file] });
    add({ report: "list", regex: "main\\.(level|deep|phase|walk)", flags: [], files: [file] });
  }
  // B. Graph reports × option sets.
  for (const flags of graphOptionSets) {
    for (const report of ["top", "tree"] as const) {
      add({ report, flags, files: ["s2"] });
      if (sampledOptionSets.has(key(flags))) add({ report, flags, files: ["r2"] });
    }
  }
  // C. Differences between snapshots.
  for (const raw of diffOptionSets) {
    for (const report of ["top", "tree", "traces", "tags", "raw"] as const)
      add({ report, flags: raw, files: ["s2"] });
    add({ report: "peek", regex: "main\\.(phase|deep|level)", flags: raw, files: ["s2"] });
  }
  add({ report: "top", flags: ["-diff_base=r1"], files: ["r2"] });
  add({ report: "top", flags: ["-base=r1", "-normalize"], files: ["r2"] });
  add({ report: "top", flags: ["-diff_base=al"], files: ["dl"] });
  add({ report: "list", regex: "main\\.(phase2|deep)", flags: ["-diff_base=s1"], files: ["s2"] });
  // D. Several profiles merged.
  for (const report of ["top", "tree", "traces", "tags", "raw"] as const) {
    add({ report, flags: [], files: ["s1", "s2"] });
    add({ report, flags: [], files: ["s1", "s2", "al"] });
  }
  add({ report: "top", flags: ["-alloc_space"], files: ["r1", "r2"] });
  // E. Non-graph reports with options.
  for (const flags of otherReportOptionSets) {
    for (const report of ["traces", "tags", "raw"] as const) add({ report, flags, files: ["s2"] });
  }
  // F. peek and list with options.
  for (const flags of [
    ["-lines"],
    ["-addresses"],
    ["-focus=phase"],
    ["-alloc_objects", "-cum"],
    ["-hide=runtime"],
  ]) {
    add({ report: "peek", regex: "main\\.(Store|level2|newBuf)", flags, files: ["s2"] });
  }
  add({ report: "peek", regex: "nomatch_zzz", flags: [], files: ["s2"] });
  for (const flags of [["-alloc_space"], ["-noinlines"], ["-mean"], ["-inuse_objects"], ["-focus=phase2"]]) {
    add({ report: "list", regex: "main\\.(level|newBuf|readResponse|Put)", flags, files: ["s2"] });
  }
  add({ report: "list", regex: "nomatch_zzz", flags: [], files: ["s2"] });
  // G. Labelled CPU and goroutine profiles.
  for (const flags of labelOptionSets) {
    for (const report of ["top", "tree", "traces", "tags"] as const) {
      add({ report, flags, files: ["cp"] });
      if (!flags[0]!.includes("phase") && !flags[0]!.includes("sample_index"))
        add({ report, flags, files: ["gr"] });
    }
  }
  // H. --proto output, read back by pprof.
  for (const flags of protoOptionSets) add({ report: "top", flags, files: ["s2"], proto: true });
  add({ report: "top", flags: ["-tagfocus=worker=a"], files: ["cp"], proto: true });
  // I. Refusals: both must fail with the same exit status and an error that means the same.
  add({ report: "top", flags: ["-sample_index=bogus"], files: ["s2"] });
  add({ report: "top", flags: ["-sample_index=9"], files: ["s2"] });
  add({ report: "top", flags: ["-focus=("], files: ["s2"] });
  add({ report: "tree", flags: ["-ignore=)"], files: ["s2"] });
  add({ report: "traces", flags: ["-show_from=["], files: ["s2"] });
  add({ report: "peek", regex: "(", flags: [], files: ["s2"] });
  add({ report: "top", flags: ["-nodecount=x"], files: ["s2"] });
  return cases;
}
