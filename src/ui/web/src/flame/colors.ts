/**
 * Frame colours. Normal mode: one hue per Go package (stable across reloads, hashed from the path).
 * Diff mode: a blue ↔ orange diverging scale (readable with red-green colour blindness), neutral grey
 * for no change; the intensity is the node's change relative to its larger side.
 */

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function packageColor(pkg: string): string {
  if (pkg === "") return "hsl(30, 10%, 78%)";
  if (pkg === "runtime" || pkg.startsWith("runtime/") || pkg === "internal" || pkg.startsWith("internal/")) {
    return "hsl(210, 12%, 75%)";
  }
  const h = hashString(pkg);
  const hue = h % 360;
  const saturation = 45 + ((h >>> 9) % 20);
  const lightness = 68 + ((h >>> 17) % 10);
  return `hsl(${hue}, ${saturation}%, ${lightness}%)`;
}

const neutral = [224, 224, 224];
const grow = [
  [253, 184, 99],
  [224, 130, 20],
  [179, 88, 6],
]; // light → dark orange
const shrink = [
  [146, 197, 222],
  [67, 147, 195],
  [33, 102, 172],
]; // light → dark blue

function mix(a: number[], b: number[], t: number): number[] {
  return [a[0]! + (b[0]! - a[0]!) * t, a[1]! + (b[1]! - a[1]!) * t, a[2]! + (b[2]! - a[2]!) * t];
}

function scaleColor(stops: number[][], t: number): number[] {
  if (t <= 0) return neutral;
  // neutral → stop0 → stop1 → stop2 over t ∈ (0,1]
  const points = [neutral, ...stops];
  const seg = Math.min(points.length - 2, Math.floor(t * (points.length - 1)));
  const local = t * (points.length - 1) - seg;
  return mix(points[seg]!, points[seg + 1]!, Math.min(1, local));
}

const DIFF_BUCKETS = 20;
const diffCache: string[] = [];
for (let b = -DIFF_BUCKETS; b <= DIFF_BUCKETS; b++) {
  const t = Math.abs(b) / DIFF_BUCKETS;
  const rgb = b === 0 ? neutral : scaleColor(b > 0 ? grow : shrink, t);
  diffCache.push(`rgb(${Math.round(rgb[0]!)}, ${Math.round(rgb[1]!)}, ${Math.round(rgb[2]!)})`);
}

/** The diff palette: index 0 shrank most (dark blue), the middle is unchanged, the last grew most. */
export const DIFF_PALETTE: readonly string[] = diffCache;

/** Index into DIFF_PALETTE for a change from `base` to `target` (relative to the larger side). */
export function diffColorIndex(base: number, target: number): number {
  const larger = Math.max(Math.abs(base), Math.abs(target));
  if (larger === 0) return DIFF_BUCKETS;
  const ratio = (target - base) / larger; // -1 .. 1
  return Math.round(ratio * DIFF_BUCKETS) + DIFF_BUCKETS;
}

/** Colour for a change from `base` to `target`: orange when it grew, blue when it shrank. */
export function diffColor(base: number, target: number): string {
  return diffCache[diffColorIndex(base, target)]!;
}

export const DIFF_LEGEND = {
  grew: diffCache[DIFF_BUCKETS * 2]!,
  shrank: diffCache[0]!,
  same: diffCache[DIFF_BUCKETS]!,
};

export const DIMMED_FILL = "rgb(236, 236, 236)";
/** Runs of frames each narrower than a pixel, drawn as one block. */
export const SMALL_FRAMES_FILL = "rgb(205, 205, 205)";
export const DIMMED_TEXT = "rgb(150, 150, 150)";
export const TEXT = "rgb(20, 20, 20)";
export const HIGHLIGHT_STROKE = "rgb(20, 20, 20)";
