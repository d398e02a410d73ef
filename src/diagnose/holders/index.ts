/**
 * What holds the live heap, from a Go heap dump: analyzeRetention gives the holders of the whole heap
 * (and a context), heldBy the holders of one heap suspect's objects.
 */

export { attachRetention } from "./attach.js";
export { type HeldByOptions, heldBy, type SuspectSite } from "./held-by.js";
export { analyzeRetention, type RetentionContext, type RetentionOptions } from "./retention-analysis.js";
export {
  type GroupPath,
  groupPath,
  lineFunctions,
  type RetentionNodeKind,
  type RetentionTree,
  type RetentionTreeOptions,
  retentionTree,
} from "./retention-tree.js";
export { addTypes, NO_DWARF_LIMIT, rootName, type TypeInputs } from "./typed-holders.js";
