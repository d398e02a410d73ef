/**
 * Makes every node label of the laid-out call graph fit its box. Graphviz sized the boxes with its
 * own font metrics, the browser draws with its own fonts, so a long name can come out wider than its
 * box. A line up to a quarter too wide is drawn narrower (SVG textLength: glyphs and spacing
 * squeezed, still whole); a longer one is cut in the middle ("main.(*sessi…).remember") until it
 * fits. The full name stays in the node's <title> (the hover text) and in its accessible name.
 */

/** Horizontal room kept free inside a node's box, px (graph units). */
const PADDING = 4;
/** The widest a line may be, relative to its room, and still be squeezed rather than cut. */
const SQUEEZE = 1.25;

/** `text` with its middle replaced by "…" so `keep` characters remain. */
export function middleTruncate(text: string, keep: number): string {
  if (text.length <= keep) return text;
  if (keep <= 1) return "…";
  const head = Math.ceil((keep - 1) / 2);
  const tail = keep - 1 - head;
  return `${text.slice(0, head)}…${tail > 0 ? text.slice(text.length - tail) : ""}`;
}

function boxWidth(node: SVGGElement): number | null {
  const shape = node.querySelector("polygon, ellipse, path");
  if (!shape) return null;
  return (shape as SVGGraphicsElement).getBBox().width;
}

/** Truncates one label until it fits `room`; returns whether it had to. */
function fitText(text: SVGTextElement, room: number): boolean {
  const full = text.textContent ?? "";
  const natural = text.getComputedTextLength();
  if (natural <= room) return false;
  text.setAttribute("data-full", full);
  if (natural <= room * SQUEEZE) {
    text.setAttribute("textLength", room.toFixed(1));
    text.setAttribute("lengthAdjust", "spacingAndGlyphs");
    return true;
  }
  let keep = full.length;
  // Shrink by the measured ratio first, then a character at a time (proportional fonts vary).
  while (keep > 1 && text.getComputedTextLength() > room) {
    const ratio = room / text.getComputedTextLength();
    keep = Math.max(1, Math.min(keep - 1, Math.floor(keep * ratio)));
    text.textContent = middleTruncate(full, keep);
  }
  return true;
}

/** Fits every node label of `svg` (which must be in the document, to be measured). */
export function fitNodeLabels(svg: SVGSVGElement): number {
  let truncated = 0;
  for (const node of svg.querySelectorAll<SVGGElement>("g.node")) {
    const width = boxWidth(node);
    if (width === null) continue;
    for (const text of node.querySelectorAll<SVGTextElement>("text")) {
      if (fitText(text, width - 2 * PADDING)) truncated++;
    }
  }
  return truncated;
}
