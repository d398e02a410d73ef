/**
 * `heapscope list REGEX`: annotated source for matching functions (pprof's `-list`,
 * report.printSource). Reading files is left to a SourceReader the caller supplies, so this module
 * does no I/O and the caller decides which files may be read.
 */
import { UsageError } from "../../errors.js";
import { compareGoStrings, padLeft } from "../../profile/go-format.js";
import { accumulateValues, NodeTable, printableName } from "../../profile/graph.js";
import { percentage } from "../../profile/measurement.js";
import type { PreparedReport } from "../../profile/prepare.js";
import { formatValue, newView, type ReportView } from "./common.js";

export interface SourceReader {
  /** The file's lines (without line endings), or an error message pprof-style. */
  read(path: string): { lines: string[] } | { error: string };
}

interface ListNode {
  id: number;
  name: string;
  file: string;
  startLine: number;
  lineno: number;
  flat: number;
  cum: number;
  sprint: string;
}

const margin = 5;

export function renderList(report: PreparedReport, reader: SourceReader): string {
  const view = newView(report);
  const table = new NodeTable(report.profile, {
    fields: report.fields,
    objNames: true,
    trim: { trimPath: report.trimPath, sourcePath: report.sourcePath },
  });
  if (!report.columns) throw new Error("the list report has no sample columns");
  const values = accumulateValues(report.columns, table, report);
  const symbol = report.symbol!;
  const nodes: ListNode[] = [];
  for (let id = 0; id < table.size; id++) {
    const flat = values.flat[id]!;
    const cum = values.cum[id]!;
    if (flat === 0 && cum === 0) continue;
    if (report.dropNegative && (flat < 0 || (flat === 0 && cum < 0))) continue;
    const info = table.infos[id]!;
    if (!symbol.test(info.name)) continue;
    nodes.push({
      id,
      name: info.name,
      file: info.file,
      startLine: info.startLine,
      lineno: info.lineno,
      flat,
      cum,
      sprint: printableName(info),
    });
  }
  const byFunction = new Map<string, ListNode[]>();
  for (const node of nodes) {
    const list = byFunction.get(node.name);
    if (list) list.push(node);
    else byFunction.set(node.name, [node]);
  }
  if (byFunction.size === 0)
    throw new UsageError(`no matches found for regexp: ${report.symbolSource ?? symbol.source}`);
  const out: string[] = [`Total: ${formatValue(view, report.total)}`];
  const functionNames = [...byFunction.keys()].sort(compareGoStrings);
  const files = new Map<string, { lines: string[] } | { error: string }>();
  const readCached = (path: string) => {
    let content = files.get(path);
    if (!content) files.set(path, (content = reader.read(path)));
    return content;
  };
  for (const name of functionNames) {
    const byFile = new Map<string, ListNode[]>();
    for (const node of byFunction.get(name)!) {
      if (node.file === "") continue;
      const list = byFile.get(node.file);
      if (list) list.push(node);
      else byFile.set(node.file, [node]);
    }
    if (byFile.size === 0) {
      out.push(`No source information for ${name}`);
      continue;
    }
    const fileOrder = [...byFile.values()]
      .map((list) => list[0]!)
      .sort((a, b) => {
        if (a.file !== b.file) return compareGoStrings(a.file, b.file);
        if (a.startLine !== b.startLine) return a.startLine - b.startLine;
        return compareGoStrings(a.sprint, b.sprint);
      });
    for (const first of fileOrder) {
      const fileNodes = byFile.get(first.file)!;
      let flatSum = 0;
      let cumSum = 0;
      for (const n of fileNodes) {
        flatSum += n.flat;
        cumSum += n.cum;
      }
      out.push(`ROUTINE ======================== ${name} in ${first.file}`);
      out.push(
        `${padLeft(formatValue(view, flatSum), 10)} ${padLeft(formatValue(view, cumSum), 10)} (flat, cum) ${percentage(cumSum, report.total)} of Total`,
      );
      const content = readCached(first.file);
      listFile(out, view, fileNodes, content);
    }
  }
  return `${out.join("\n")}\n`;
}

/** pprof's getSourceFromFile: the lines from the function start (or first sample − 5) to last + 5. */
function listFile(
  out: string[],
  view: ReportView,
  nodes: ListNode[],
  content: { lines: string[] } | { error: string },
): void {
  let start = nodes[0]!.startLine !== 0 ? nodes[0]!.startLine : nodes[0]!.lineno - margin;
  let end = nodes[0]!.lineno + margin;
  const byLine = new Map<number, { flat: number; cum: number }>();
  for (const n of nodes) {
    const nodeStart = n.startLine !== 0 ? n.startLine : n.lineno - margin;
    const nodeEnd = n.lineno + margin;
    if (nodeStart < start) start = nodeStart;
    else if (nodeEnd > end) end = nodeEnd;
    const sums = byLine.get(n.lineno) ?? { flat: 0, cum: 0 };
    sums.flat += n.flat;
    sums.cum += n.cum;
    byLine.set(n.lineno, sums);
  }
  if (start < 1) start = 1;
  if ("error" in content) {
    out.push(` Error: ${content.error}`);
    return;
  }
  const dot = (v: number) => (v === 0 ? "." : formatValue(view, v));
  for (let lineno = start; lineno <= end; lineno++) {
    if (lineno >= content.lines.length + 1) break;
    const text = content.lines[lineno - 1]!;
    const sums = byLine.get(lineno) ?? { flat: 0, cum: 0 };
    out.push(
      `${padLeft(dot(sums.flat), 10)} ${padLeft(dot(sums.cum), 10)} ${padLeft(String(lineno), 6)}:${text}`,
    );
  }
}
