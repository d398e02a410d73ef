/**
 * The oracle's exclusions: the only cases allowed not to be byte-identical, each with its reason.
 * The test asserts this list exactly, per toolchain: a listed case whose reason no longer holds, or
 * an unlisted case that differs, fails it.
 */
import { GO_CURRENT, GO_DEFAULT, type GoToolchain } from "../../support/go-toolchains.js";

/**
 * pprof prints the case differently from run to run: with -files, distinct nodes of the same file
 * print the same name, and ties between them are sorted in Go map order. Checked by running pprof
 * until two outputs differ; heapscope's lines must equal pprof's as a multiset (sum% masked, as it
 * depends on the order).
 */
export const PPROF_ORDER_VARIES = "pprof's own output varies between runs";

export type ExclusionReason = typeof PPROF_ORDER_VARIES;

export interface Exclusion {
  id: string;
  reason: ExclusionReason;
}

const filesGranularity: Exclusion[] = [
  { id: "top -files s2", reason: PPROF_ORDER_VARIES },
  { id: "tree -files s2", reason: PPROF_ORDER_VARIES },
];

export const ORACLE_EXCLUSIONS: Record<Exclude<GoToolchain, "go1.19">, Exclusion[]> = {
  [GO_DEFAULT]: filesGranularity,
  [GO_CURRENT]: filesGranularity,
};
