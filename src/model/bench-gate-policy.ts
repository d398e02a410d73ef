/** What the CI gate over a benchmark comparison enforces: thresholds per unit, overrides, defaults. */

export interface UnitThresholds {
  /** Worsening (percent) at which a significant change warns; undefined = never. */
  warnPercent?: number;
  /** Worsening (percent) at which a significant change fails; undefined = never. */
  failPercent?: number;
  /** Smallest absolute worsening (in the tidied unit: seconds, bytes, allocations) that counts. */
  floor?: number;
}

export interface GateOverride {
  /** Regular expression matched (unanchored) against the full benchmark name. */
  match: string;
  /** Optional regular expression matched against the package path. */
  package?: string;
  /** Per unit: thresholds merged over the defaults, or null to switch the unit off. */
  thresholds: Record<string, UnitThresholds | null>;
}

export type MissingPolicy = "ignore" | "warn" | "fail";

export interface GatePolicy {
  /** Tidied unit → thresholds. Units not listed are reported but never gated. */
  thresholds: Record<string, UnitThresholds>;
  overrides: GateOverride[];
  onMissing: MissingPolicy;
  /** 0 → more than 0 allocs/op fails regardless of percentages (default true). */
  zeroAllocationsStayZero: boolean;
}

export function defaultGatePolicy(): GatePolicy {
  return {
    thresholds: {
      "allocs/op": { warnPercent: 10, failPercent: 30, floor: 1 },
      "B/op": { warnPercent: 15, failPercent: 50, floor: 64 },
    },
    overrides: [],
    onMissing: "warn",
    zeroAllocationsStayZero: true,
  };
}
