/** How long doctor's verdict took and how it was reached, in one sentence (every report format). */
import type { Decision } from "../diagnose/types.js";

function seconds(value: number): string {
  return value >= 120 ? `${(value / 60).toFixed(1)} min` : `${value.toFixed(1)} s`;
}

function formatShare(share: number): string {
  return `${Number((share * 100).toPrecision(2))} %`;
}

export function describeDecision(decision: Decision | undefined): string | null {
  if (!decision) return null;
  const took = decision.timeToVerdictSeconds;
  const sampling = decision.samplingIntervalSeconds
    ? `; sampled every ${seconds(decision.samplingIntervalSeconds)}${decision.mode === "auto" ? " at first" : ""}`
    : "";
  switch (decision.mode) {
    case "auto": {
      const look = decision.look;
      const how = look
        ? `look ${look.index} of ${look.of}, planned at ${seconds(look.atSeconds)}, testing at ${formatShare(look.alphaShare)} of α`
        : "";
      return `Verdict after ${took === null ? "?" : seconds(took)} of observation (--duration auto: ${how})${sampling}.`;
    }
    case "fixed":
      return `Verdict after ${took === null ? "?" : seconds(took)} (a fixed window of ${seconds(decision.observedSeconds)} observed)${sampling}.`;
    default:
      return `Verdict from ${seconds(decision.observedSeconds)} of ${decision.mode === "recording" ? "recorded data" : "profiles"}.`;
  }
}
