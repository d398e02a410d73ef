/** Value formatting for labels, tooltips and tables (pprof's units: kB = 1024 B). */

const byteUnits = ["B", "kB", "MB", "GB", "TB", "PB"];

function trimFixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  const sign = value < 0 ? "-" : "";
  let magnitude = Math.abs(value);
  switch (unit) {
    case "bytes": {
      let u = 0;
      while (magnitude >= 1024 && u < byteUnits.length - 1) {
        magnitude /= 1024;
        u++;
      }
      return `${sign}${trimFixed(magnitude, 2)}${byteUnits[u]}`;
    }
    case "nanoseconds": {
      if (magnitude >= 1e9) return `${sign}${trimFixed(magnitude / 1e9, 2)}s`;
      if (magnitude >= 1e6) return `${sign}${trimFixed(magnitude / 1e6, 2)}ms`;
      if (magnitude >= 1e3) return `${sign}${trimFixed(magnitude / 1e3, 2)}us`;
      return `${sign}${trimFixed(magnitude, 0)}ns`;
    }
    case "seconds":
      return `${sign}${trimFixed(magnitude, 2)}s`;
    default: {
      if (magnitude >= 1e9) return `${sign}${trimFixed(magnitude / 1e9, 2)}G`;
      if (magnitude >= 1e6) return `${sign}${trimFixed(magnitude / 1e6, 2)}M`;
      if (magnitude >= 1e4) return `${sign}${trimFixed(magnitude / 1e3, 2)}k`;
      return `${sign}${trimFixed(magnitude, 2)}`;
    }
  }
}

/**
 * An integer with thousands separators (120,000). Not toLocaleString: its first call loads the
 * locale data, tens of ms on the way to the first flame graph paint.
 */
export function formatCount(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function formatSigned(value: number, unit: string): string {
  return value > 0 ? `+${formatValue(value, unit)}` : formatValue(value, unit);
}

export function formatPercent(value: number, total: number): string {
  if (total === 0) return "0%";
  const p = (value / total) * 100;
  if (Math.abs(p) >= 10) return `${p.toFixed(1)}%`;
  if (Math.abs(p) >= 0.01) return `${p.toFixed(2)}%`;
  return p === 0 ? "0%" : `${p.toPrecision(2)}%`;
}

export function formatDuration(seconds: number): string {
  if (Math.abs(seconds) < 1) return `${trimFixed(seconds, 3)}s`;
  if (Math.abs(seconds) < 10) return `${trimFixed(seconds, 2)}s`;
  if (seconds < 60) return `${trimFixed(seconds, 1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  if (m < 60) return `${m}m${s.toString().padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${(m % 60).toString().padStart(2, "0")}m`;
}

/** Escapes a literal string for use inside a regular expression (pprof's filters are regexes). */
export function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
