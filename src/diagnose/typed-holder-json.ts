/**
 * The fields types add to doctor's `heldBy[]` entries and to `holders[]` (and to retainers' JSON):
 *
 *   type         the root's declared type (`[]*main.event`, `*main.registry`), or null
 *   path[].field how each step is reached from the one before (`.series`, `value`, `[3]`), aligned
 *                with the retaining path's steps; null where nothing is typed
 *   slice        the root's slices that keep memory beyond len or pin arrays (slice-retention.ts)
 *   sourceLines  the statements that reslice the holding variable or field, in the module's sources
 *
 * Built from what the typed analyses computed once per dump: the typed heap, its slice holders and
 * the module's Go files (read by collect/go-source-files.ts, or none).
 */
import type { RetainingPath } from "../analysis/retention/retaining-path.js";
import type { SliceHolder } from "../analysis/retention/slice-holders.js";
import type { TypedHeap } from "../analysis/retention/typed-heap.js";
import { rootTypeName, typedPath } from "../analysis/retention/typed-paths.js";
import {
  type AssignmentTarget,
  findAssignments,
  type SourceLine,
} from "../formats/go-source/go-assignments.js";
import type { ObjectGraph } from "../model/object-graph.js";
import { assignmentTargetOf, sliceJsonForRoot } from "./slice-retention.js";
import type { SliceRetentionJson } from "./types.js";

export interface TypedRetentionContext {
  graph: ObjectGraph;
  typed: TypedHeap;
  sliceHolders: SliceHolder[];
  sourceFiles: { file: string; text: string }[];
}

export interface TypedHolderFields {
  type: string | null;
  /** One per step of the retaining path given (empty without one). */
  pathFields: (string | null)[];
  /** The type of each step's object, aligned with pathFields. */
  pathTypes: (string | null)[];
  slice: SliceRetentionJson | null;
  sourceLines: SourceLine[];
}

export function typedHolderFields(
  context: TypedRetentionContext,
  rootNode: number,
  path?: RetainingPath,
): TypedHolderFields {
  const { graph, typed, sliceHolders } = context;
  const steps = path ? typedPath(typed, graph, path).steps : [];
  const mine = sliceHolders.filter((h) => h.rootNodes.includes(rootNode));
  const seen = new Set<string>();
  const sourceLines: SourceLine[] = [];
  for (const holder of mine) {
    const target = assignmentTargetOf(holder);
    if (!target) continue;
    for (const line of assignmentsOf(context, target)) {
      const key = `${line.file}:${line.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      sourceLines.push(line);
    }
  }
  return {
    // A frame's type is its variable's: the one the path leaves the frame through.
    type:
      rootTypeName(typed, rootNode) ??
      (path ? rootTypeName(typed, path.root.node, path.steps[0]?.fieldOffset) : null),
    pathFields: steps.map((s) => s.field),
    pathTypes: steps.map((s) => s.type),
    slice: sliceJsonForRoot(sliceHolders, rootNode),
    sourceLines,
  };
}

const scanned = new WeakMap<TypedRetentionContext, Map<string, SourceLine[]>>();

/**
 * The statements assigning `target` in the context's sources, scanned once per target: a report asks
 * for the same holder under several suspects, and a module can have thousands of files.
 */
export function assignmentsOf(context: TypedRetentionContext, target: AssignmentTarget): SourceLine[] {
  let cache = scanned.get(context);
  if (!cache) {
    cache = new Map();
    scanned.set(context, cache);
  }
  const key = JSON.stringify(target);
  let lines = cache.get(key);
  if (!lines) {
    lines = findAssignments(context.sourceFiles, target);
    cache.set(key, lines);
  }
  return lines;
}
