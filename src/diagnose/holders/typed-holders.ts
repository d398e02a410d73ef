/**
 * addTypes(analysis, inputs): Retention I's holders with what the binary's DWARF tells about them.
 *
 * Types are propagated from typed roots into the heap (analysis/retention/typed-propagation.ts), the
 * slices that keep memory beyond their len or pin large arrays are found and grouped by holder, and
 * each listed holder gains its root's type, field names and types along its path, its slices'
 * figures and the statements that reslice the holding variable or field in the module's sources.
 * Each slice finding also becomes a hint with a fix the module's Go version allows.
 *
 * Without DWARF nothing is claimed: the holders stay as Retention I gives them and the limits say
 * once what is lost.
 */

import { nodeObject } from "../../analysis/retention/object-graph.js";
import { retainingPath } from "../../analysis/retention/retaining-path.js";
import { analyzeSliceRetention } from "../../analysis/retention/slice-findings.js";
import { type SliceHolder, sliceHolders } from "../../analysis/retention/slice-holders.js";
import { propagateTypes } from "../../analysis/retention/typed-propagation.js";
import type { GoTypeTable } from "../../model/go-types.js";
import { assignmentTargetOf, sliceJson, sliceRetentionHint } from "../slice-retention.js";
import { assignmentsOf, type TypedRetentionContext, typedHolderFields } from "../typed-holder-json.js";
import type { Holder, RetentionSummary, SliceFinding, TypedHolderDetail } from "../types.js";
import { pathTo, type RetentionContext } from "./retention-analysis.js";

export interface TypeInputs {
  /** The binary's Go types; null when it has no DWARF. */
  table: GoTypeTable | null;
  /** Run-time minus link-time addresses (position-independent binaries). */
  loadBias: number;
  /** The module's Go files (for the statements to change); none when the sources are unknown. */
  sourceFiles: { file: string; text: string }[];
  /** The module's `go` line (which fixes compile). */
  goVersion?: [number, number];
}

export const NO_DWARF_LIMIT =
  "the binary has no DWARF (linked with -w, stripped, or built by go run / go test): no types or field names along paths and no slice findings (slots beyond len, pinned arrays); holders are shown untyped";

type Analysis = { summary: RetentionSummary; context: RetentionContext };

export function addTypes(analysis: Analysis, inputs: TypeInputs): Analysis {
  const { summary, context } = analysis;
  if (!inputs.table)
    return { summary: { ...summary, types: null, limits: [...summary.limits, NO_DWARF_LIMIT] }, context };
  const { dump, graph } = context;
  const typed = propagateTypes(dump, graph, inputs.table, { loadBias: inputs.loadBias });
  const slices = analyzeSliceRetention(dump, graph, typed, { reachable: context.reachable });
  const holders = sliceHolders(graph, typed, slices, context.paths);
  const typedContext: TypedRetentionContext = {
    graph,
    typed,
    sliceHolders: holders,
    sourceFiles: inputs.sourceFiles,
  };
  const withTypes: RetentionContext = { ...context, typed: typedContext, holderNodes: new Map() };
  const retype = (holder: Holder): Holder => {
    const nodes = context.holderNodes.get(holder);
    if (!nodes) return holder;
    const typedHolder: Holder = {
      ...holder,
      root: holder.roots === 1 ? rootName(withTypes, nodes.rootNode, holder.root) : holder.root,
      path: pathTo(withTypes, nodes.objectNode),
      ...typedDetail(withTypes, nodes.rootNode, nodes.objectNode),
    };
    withTypes.holderNodes.set(typedHolder, nodes);
    return typedHolder;
  };
  const { stats } = typed;
  return {
    summary: {
      ...summary,
      holders: summary.holders.map(retype),
      runtimeHolders: summary.runtimeHolders.map(retype),
      types: {
        dwarfVersion: inputs.table.dwarfVersion,
        typedObjects: stats.typedObjects,
        typedBytes: stats.typedBytes,
        rejected: stats.rejected,
        unresolvedInterfaces: stats.unresolvedInterfaces,
      },
      sliceFindings: holders.map((h) => sliceFinding(h, typedContext, inputs.goVersion)),
    },
    context: withTypes,
  };
}

/**
 * The typed fields of a holder whose root is `rootNode` (none without types). `objectNode`, the
 * object its path leads to, tells which variable of a stack frame the holder's type is.
 */
export function typedDetail(context: RetentionContext, rootNode: number, objectNode = -1): TypedHolderDetail {
  if (!context.typed) return {};
  const { graph, paths } = context;
  const path =
    objectNode >= graph.firstObjectNode ? retainingPath(graph, paths, nodeObject(graph, objectNode)) : null;
  const fields = typedHolderFields(context.typed, rootNode, path ?? undefined);
  return { type: fields.type, slice: fields.slice, sourceLines: fields.sourceLines };
}

/**
 * A root's label, or the better name types give a root the symbol table leaves unnamed (the static
 * value `var metrics = &registry{...}` points at is `*main.metrics`).
 */
export function rootName(context: RetentionContext, rootNode: number, label: string): string {
  const root = context.graph.roots[rootNode - 1];
  const alias = context.typed?.typed.rootAliases.get(rootNode);
  return alias && root && label === root.label ? alias : label;
}

function sliceFinding(
  holder: SliceHolder,
  context: TypedRetentionContext,
  goVersion: [number, number] | undefined,
): SliceFinding {
  const target = assignmentTargetOf(holder);
  const sourceLines = target ? assignmentsOf(context, target) : [];
  return {
    kind: holder.bytesBeyondLen > 0 ? "beyond-len" : "pinned",
    holder: holder.holder,
    rootKind: holder.root.kind,
    sliceType: holder.sliceType,
    slices: holder.slices,
    slice: sliceJson(holder),
    sourceLines,
    hint: sliceRetentionHint(holder, goVersion, sourceLines),
  };
}
