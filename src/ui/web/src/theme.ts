/** Reads the design system's CSS custom properties (styles.css) for what canvases draw. */
export function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}
