/**
 * The retention view's JSON: the aggregated dominator tree of a heap dump (diagnose/holders/
 * retention-tree.ts) as columns, nodes in preorder with children largest first, and one retaining
 * path on request. No Node or DOM APIs here.
 */

export type RetentionNodeKindWire = "all" | "holder" | "root" | "shared" | "site" | "size" | "other";
export type RetentionRootKindWire = "global" | "stack" | "closure" | "finalizer" | "runtime";

export interface RetentionTreeWire {
  status: "ok";
  /** The document's name (a dump file or a recording). */
  name: string;
  reachableBytes: number;
  reachableObjects: number;
  heapAlloc: number | null;
  goVersion: string;
  /** What the dump cannot show (no symbols, roots it lacks), one sentence each. */
  limits: string[];
  /** True when small groups were merged or deep chains cut to fit the node budget. */
  truncated: boolean;
  nodes: {
    parent: number[];
    name: string[];
    kind: RetentionNodeKindWire[];
    rootKind: Array<RetentionRootKindWire | null>;
    /** Function of a site node's allocation site. */
    site: Array<string | null>;
    siteLine: Array<string | null>;
    bytes: number[];
    objects: number[];
    members: number[];
  };
}

/** The answer for a document that has no heap dump: what to run to get one. */
export interface RetentionUnavailableWire {
  status: "no-dump";
  message: string;
}

export type RetentionResponse = RetentionTreeWire | RetentionUnavailableWire;

export interface RetentionPathStepWire {
  bytes: number;
  /** `function (file:line)` of the object's allocation when it was sampled. */
  site: string | null;
  /** Byte offset of the pointer inside the previous step (or the root). */
  offset: number;
  /** Field and type names, when the binary's DWARF gave them (null where that step is untyped). */
  field?: string | null;
  type?: string | null;
}

export interface RetentionPathWire {
  node: number;
  /** The root chain, outermost first (a goroutine, then its frame). */
  roots: Array<{ label: string; kind: RetentionRootKindWire }>;
  /** Heap objects from the root to the group's representative object. */
  steps: RetentionPathStepWire[];
}
