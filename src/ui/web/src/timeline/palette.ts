/**
 * Series colours for canvases (uPlot), read from the design system's CSS custom properties so the
 * charts follow the theme. The palette is Okabe–Ito's, distinguishable with the common colour
 * vision deficiencies; series also differ by dash pattern, so they stay apart in greyscale.
 */
import { cssVar } from "../theme.js";

const SERIES_VARS = 7;
const dashes: number[][] = [[], [6, 3], [2, 3], [8, 3, 2, 3], [], [6, 3], [2, 3]];

export function seriesColor(k: number): string {
  return cssVar(`--series-${(k % SERIES_VARS) + 1}`, "#0072b2");
}

export function seriesDash(k: number): number[] {
  return dashes[k % dashes.length]!;
}
