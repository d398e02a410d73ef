/**
 * Alike roots make one holder: 96 goroutines blocked in main.awaitReply each keep 256 KiB, and the
 * user's answer is "main.awaitReply's goroutines keep 24 MiB", not 96 lines of 256 KiB. Roots group by
 * kind and function (a global is its own group; an unnamed root, its label).
 */
import type { RootDescription } from "../../model/object-graph.js";
import type { HolderRootKind } from "../types.js";

export interface HolderUnit {
  root: RootDescription;
  bytes: number;
  objects: number;
  /** The largest object it keeps (for the path), or -1. */
  largestObjectNode: number;
}

export interface HolderGroup {
  key: string;
  label: string;
  kind: HolderRootKind;
  count: number;
  bytes: number;
  objects: number;
  share: number;
  largestObjectNode: number;
  /** The largest member's root node. */
  rootNode: number;
  /** The largest member's bytes (which member's path is shown). */
  largestMemberBytes: number;
}

/** The group a root belongs to. */
export function groupKey(root: RootDescription): string {
  const goroutineLevel = root.kind === "stack" && root.parentNode === 0 ? "goroutine" : "";
  if (root.kind === "global" || root.functionName === undefined) return `${root.kind}:${root.label}`;
  return `${root.kind}${goroutineLevel}:${root.functionName}:${root.creator ?? ""}`;
}

export function groupLabel(root: RootDescription, count: number): string {
  if (count === 1) return root.label;
  const fn = root.functionName ?? root.label;
  const createdBy = root.creator ? `, created by ${root.creator}` : "";
  switch (root.kind) {
    case "stack":
      return root.parentNode === 0
        ? `${fn}: frames of ${count} goroutines together${createdBy}`
        : `${fn} (${count} goroutines${createdBy})`;
    case "finalizer":
      return `finalizers ${fn} (${count} objects)`;
    case "closure":
      return `closures ${fn} (${count})`;
    default:
      return `${fn} (${count} roots)`;
  }
}

/** Groups units, largest group first. */
export function groupUnits(units: HolderUnit[], reachableBytes: number): HolderGroup[] {
  const groups = new Map<string, HolderGroup & { first: RootDescription }>();
  for (const unit of units) {
    const key = groupKey(unit.root);
    let group = groups.get(key);
    if (!group) {
      group = {
        key,
        label: "",
        kind: unit.root.kind,
        count: 0,
        bytes: 0,
        objects: 0,
        share: 0,
        largestObjectNode: -1,
        rootNode: unit.root.node,
        largestMemberBytes: -1,
        first: unit.root,
      };
      groups.set(key, group);
    }
    group.count++;
    group.bytes += unit.bytes;
    group.objects += unit.objects;
    if (unit.bytes > group.largestMemberBytes) {
      group.largestMemberBytes = unit.bytes;
      group.largestObjectNode = unit.largestObjectNode;
      group.rootNode = unit.root.node;
    }
  }
  const result: HolderGroup[] = [];
  for (const { first, ...group } of groups.values()) {
    group.label = groupLabel(first, group.count);
    group.share = reachableBytes > 0 ? group.bytes / reachableBytes : 0;
    result.push(group);
  }
  return result.sort((a, b) => b.bytes - a.bytes || a.key.localeCompare(b.key));
}
