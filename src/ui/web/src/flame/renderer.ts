/**
 * The canvas flame graph. Imperative on purpose: a redraw walks the typed arrays once in preorder,
 * skipping every subtree that is off screen or narrower than MIN_DRAW_WIDTH, so 100k+ nodes redraw
 * in a few ms; it allocates nothing per node and sets each fill colour once.
 *
 * Geometry: the visible range [x0, x1) is in weight units; a node spans
 * [(x - x0) * scale, (x + weight - x0) * scale) px with scale = width / (x1 - x0), where x, its left
 * edge, is carried along the walk (a first child starts at its parent's edge, a later one where the
 * previous node at its depth ended, skipped or not). Row = depth (root on top), or
 * maxDepth - depth when inverted (the callers half of the sandwich).
 * Only the rows in the scrolled viewport are drawn; the canvas is as tall as the viewport.
 */

import { cssVar } from "../theme.js";
import {
  DIFF_PALETTE,
  DIMMED_FILL,
  DIMMED_TEXT,
  diffColorIndex,
  HIGHLIGHT_STROKE,
  packageColor,
  SMALL_FRAMES_FILL,
  TEXT,
} from "./colors.js";
import { ancestry, type FlameData, nameOf } from "./data.js";

export const ROW_HEIGHT = 18;
/** Nodes narrower than this (in CSS px) are not drawn, nor are their descendants. */
export const MIN_DRAW_WIDTH = 1;
// Few family names: on a system without them, each unknown one costs a font lookup on the first paint.
const FONT = "12px ui-monospace, monospace";

export interface DrawnRect {
  node: number;
  name: string;
  depth: number;
  /** Logical left edge and width in CSS px, before clipping to the canvas. */
  x: number;
  width: number;
  /** What was painted (clipped to the canvas). */
  drawnX: number;
  drawnWidth: number;
  /** Top of the row in the canvas, CSS px. */
  y: number;
  matched: boolean;
}

export interface FlameRendererOptions {
  inverted?: boolean;
  onHover?: (node: number | null, clientX: number, clientY: number) => void;
  onClick?: (node: number) => void;
  onContextMenu?: (node: number, clientX: number, clientY: number) => void;
  onViewChange?: () => void;
}

export interface RedrawTiming {
  reason: string;
  ms: number;
}

export class FlameRenderer {
  readonly container: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly spacer: HTMLDivElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly options: FlameRendererOptions;
  private data: FlameData | null = null;
  private x0 = 0;
  private x1 = 1;
  private focused = 0;
  private matchByName: Uint8Array | null = null;
  private hovered = -1;
  private charWidth = 7;
  private cssWidth = 0;
  private cssHeight = 0;
  private packageFill: string[] = [];
  // The last draw's rectangles, in typed arrays (a draw allocates no object per node): the node
  // (−1 for a "small frames" filler), its logical left edge and width in CSS px, its row and its
  // colour id (0: dimmed, i.e. not matching the search).
  private rectCount = 0;
  private rectNode = new Int32Array(0);
  private rectLeft = new Float64Array(0);
  private rectWidth = new Float64Array(0);
  private rectRow = new Int32Array(0);
  private rectColor = new Int32Array(0);
  private order = new Int32Array(0);
  /** scrollTop and canvas width of the last draw (to turn rows into y and clip widths). */
  private drawnScrollTop = 0;
  private drawnWidth = 0;
  private pendingStart = new Float64Array(0);
  private pendingEnd = new Float64Array(0);
  /** Per depth, the left edge (weight units) of the next node the walk meets at that depth. */
  private nextLeft = new Float64Array(0);
  private colorStart = new Int32Array(0);
  private colorCursor = new Int32Array(0);
  private canvasTop = -1;
  private readonly resizeObserver: ResizeObserver;
  private pendingFrame = 0;
  private pendingReason = "";
  readonly timings: RedrawTiming[] = [];
  drawCount = 0;
  onFirstPaint: (() => void) | null = null;

  /** The page background (the theme's), read once. */
  private readonly background = cssVar("--bg", "#ffffff");

  constructor(container: HTMLElement, options: FlameRendererOptions = {}) {
    this.container = container;
    this.options = options;
    container.classList.add("flame-scroll");
    this.spacer = document.createElement("div");
    this.spacer.className = "flame-spacer";
    this.canvas = document.createElement("canvas");
    this.canvas.className = "flame-canvas";
    this.spacer.appendChild(this.canvas);
    container.appendChild(this.spacer);
    const ctx = this.canvas.getContext("2d", { alpha: false });
    if (!ctx) throw new Error("canvas 2d context unavailable");
    this.ctx = ctx;
    this.ctx.font = FONT;
    this.charWidth = this.ctx.measureText("MMMMMMMMMM").width / 10 || 7;
    container.addEventListener("scroll", () => this.requestDraw("scroll"), { passive: true });
    this.canvas.addEventListener("mousemove", (e) => this.handleMove(e));
    this.canvas.addEventListener("mouseleave", () => this.setHovered(-1, 0, 0));
    this.canvas.addEventListener("click", (e) => {
      const node = this.nodeAtEvent(e);
      if (node >= 0) this.options.onClick?.(node);
    });
    this.canvas.addEventListener("contextmenu", (e) => {
      const node = this.nodeAtEvent(e);
      if (node >= 0 && this.options.onContextMenu) {
        e.preventDefault();
        this.options.onContextMenu(node, e.clientX, e.clientY);
      }
    });
    this.canvas.addEventListener("wheel", (e) => this.handleWheel(e), { passive: false });
    this.resizeObserver = new ResizeObserver(() => {
      const totalHeight = this.data ? (this.data.maxDepth + 1) * ROW_HEIGHT : 0;
      const height = Math.max(ROW_HEIGHT, Math.min(container.clientHeight || totalHeight, totalHeight));
      if (container.clientWidth !== this.cssWidth || height !== this.cssHeight) this.requestDraw("resize");
    });
    this.resizeObserver.observe(container);
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    if (this.pendingFrame) cancelAnimationFrame(this.pendingFrame);
    this.container.replaceChildren();
  }

  setData(data: FlameData): void {
    this.data = data;
    this.packageFill = data.packages.map((p) => packageColor(p));
    this.focused = 0;
    this.x0 = 0;
    this.x1 = data.weight[0]! > 0 ? data.weight[0]! : 1;
    this.hovered = -1;
    this.spacer.style.height = `${(data.maxDepth + 1) * ROW_HEIGHT}px`;
    if (this.options.inverted) {
      this.container.scrollTop = this.container.scrollHeight;
    } else {
      this.container.scrollTop = 0;
    }
    this.draw("data");
  }

  getData(): FlameData | null {
    return this.data;
  }

  /** Highlights the frames whose name matches; returns the matched weight (each stack counted once). */
  setSearch(pattern: RegExp | null): { matchedWeight: number; matchedFrames: number } {
    const data = this.data;
    if (!data || !pattern) {
      if (this.matchByName !== null) {
        this.matchByName = null;
        this.requestDraw("search");
      }
      return { matchedWeight: 0, matchedFrames: 0 };
    }
    const matches = new Uint8Array(data.names.length);
    let matchedFrames = 0;
    for (let i = 1; i < data.names.length; i++) {
      if (pattern.test(data.names.get(i))) {
        matches[i] = 1;
        matchedFrames++;
      }
    }
    this.matchByName = matches;
    let matchedWeight = 0;
    for (let i = 1; i < data.nodeCount; ) {
      if (matches[data.nameIndex[i]!]) {
        matchedWeight += data.weight[i]!;
        i = data.subtreeEnd[i]!;
      } else {
        i++;
      }
    }
    this.draw("search");
    return { matchedWeight, matchedFrames };
  }

  /** Zooms so that `node` spans the full width; its ancestors stay visible above it. */
  zoomToNode(node: number): void {
    const data = this.data;
    if (!data || node < 0 || node >= data.nodeCount) return;
    const { left } = ancestry(data, node);
    this.focused = node;
    this.x0 = left[left.length - 1]!;
    this.x1 = this.x0 + Math.max(data.weight[node]!, Number.MIN_VALUE);
    const row = this.rowOf(node);
    const top = row * ROW_HEIGHT;
    if (
      top < this.container.scrollTop ||
      top + ROW_HEIGHT > this.container.scrollTop + this.container.clientHeight
    ) {
      this.container.scrollTop = Math.max(0, top - ROW_HEIGHT * 2);
    }
    this.draw("zoom");
    this.options.onViewChange?.();
  }

  resetZoom(): void {
    if (!this.data) return;
    this.zoomToNode(0);
  }

  /**
   * The keyboard's frame: outlined like a hovered one, scrolled into view; when it lies outside the
   * zoomed range, the view zooms out to its caller.
   */
  setCursor(node: number): void {
    const data = this.data;
    if (!data || node < 0 || node >= data.nodeCount) return;
    const focused = this.focused;
    if (!(focused <= node && node < data.subtreeEnd[focused]!)) {
      const path = ancestry(data, node).path;
      this.zoomToNode(path.length >= 2 ? path[path.length - 2]! : 0);
    }
    const top = this.rowOf(node) * ROW_HEIGHT;
    if (
      top < this.container.scrollTop ||
      top + ROW_HEIGHT > this.container.scrollTop + this.container.clientHeight
    ) {
      this.container.scrollTop = Math.max(0, top - ROW_HEIGHT * 2);
    }
    this.hovered = node;
    this.requestDraw("cursor");
  }

  /** The visible range in weight units and the node zoomed to. */
  view(): { x0: number; x1: number; focused: number; width: number } {
    return { x0: this.x0, x1: this.x1, focused: this.focused, width: this.cssWidth };
  }

  /** The rectangles of the last draw (test hook). */
  drawnRects(): DrawnRect[] {
    const data = this.data;
    if (!data) return [];
    const out: DrawnRect[] = [];
    for (let k = 0; k < this.rectCount; k++) {
      const node = this.rectNode[k]!;
      if (node < 0) continue;
      const left = this.rectLeft[k]!;
      const width = this.rectWidth[k]!;
      const drawnX = Math.max(left, 0);
      out.push({
        node,
        name: nameOf(data, node),
        depth: data.depth[node]!,
        x: left,
        width,
        drawnX,
        drawnWidth: Math.min(left + width, this.drawnWidth) - drawnX,
        y: this.rectRow[k]! * ROW_HEIGHT - this.drawnScrollTop,
        matched: this.rectColor[k] !== 0,
      });
    }
    return out;
  }

  private rowOf(node: number): number {
    const data = this.data!;
    return this.options.inverted ? data.maxDepth - data.depth[node]! : data.depth[node]!;
  }

  private requestDraw(reason: string): void {
    this.pendingReason = reason;
    if (this.pendingFrame) return;
    this.pendingFrame = requestAnimationFrame(() => {
      this.pendingFrame = 0;
      this.draw(this.pendingReason);
    });
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    const width = this.container.clientWidth;
    const totalHeight = this.data ? (this.data.maxDepth + 1) * ROW_HEIGHT : 0;
    const height = Math.max(ROW_HEIGHT, Math.min(this.container.clientHeight || totalHeight, totalHeight));
    if (width !== this.cssWidth || height !== this.cssHeight) {
      this.cssWidth = width;
      this.cssHeight = height;
      this.canvas.width = Math.max(1, Math.round(width * dpr));
      this.canvas.height = Math.max(1, Math.round(height * dpr));
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  /** Makes the per-draw rectangle buffers hold at least `n` rectangles (contents not kept). */
  private ensureCapacity(n: number): void {
    if (this.rectNode.length >= n) return;
    const size = Math.max(n, this.rectNode.length * 2, 1024);
    this.rectNode = new Int32Array(size);
    this.rectLeft = new Float64Array(size);
    this.rectWidth = new Float64Array(size);
    this.rectRow = new Int32Array(size);
    this.rectColor = new Int32Array(size);
    this.order = new Int32Array(size);
  }

  draw(reason: string): void {
    const data = this.data;
    if (!data) return;
    const started = performance.now();
    const scrollTop = this.placeCanvas(data);
    const width = this.cssWidth;
    const firstRow = Math.floor(scrollTop / ROW_HEIGHT);
    const lastRow = Math.min(data.maxDepth, Math.ceil((scrollTop + this.cssHeight) / ROW_HEIGHT) - 1);
    // Colour ids: 0 dimmed, 1.. the diff palette, then one per package, then the filler.
    const packageOffset = 1 + DIFF_PALETTE.length;
    const fillerColor = packageOffset + data.packages.length;
    this.collect(data, width, firstRow, lastRow, packageOffset, fillerColor);
    this.fillRects(scrollTop, packageOffset, fillerColor);
    if (this.matchByName !== null) this.outlineMatches(scrollTop);
    const hoveredRect = this.drawLabels(data, scrollTop);
    if (hoveredRect >= 0) this.outlineRect(hoveredRect, scrollTop);
    this.recordDraw(reason, started);
  }

  /**
   * Sizes the canvas to the viewport and moves it to the scrolled rows; returns the scrollTop the
   * draw uses (clamped to the graph's height).
   */
  private placeCanvas(data: FlameData): number {
    // Every layout read before the canvas is resized: a read after it would lay the page out again.
    const containerScrollTop = this.container.scrollTop;
    this.resize();
    const scrollTop = Math.min(
      containerScrollTop,
      Math.max(0, (data.maxDepth + 1) * ROW_HEIGHT - this.cssHeight),
    );
    // Written only on change: a style write would make the next draw's size reads re-run layout.
    if (scrollTop !== this.canvasTop) {
      this.canvasTop = scrollTop;
      this.canvas.style.top = `${scrollTop}px`;
    }
    this.drawnScrollTop = scrollTop;
    this.drawnWidth = this.cssWidth;
    return scrollTop;
  }

  /**
   * Pass 2: fills, grouped by colour (a counting sort), so each colour is set once. clearRect
   * first: it lets the canvas drop the previous frame's recorded commands (a covering fillRect
   * alone does not), or they pile up until a costly flush in the middle of a later frame.
   */
  private fillRects(scrollTop: number, packageOffset: number, fillerColor: number): void {
    const ctx = this.ctx;
    const width = this.cssWidth;
    const height = this.cssHeight;
    const count = this.rectCount;
    const rectLeft = this.rectLeft;
    const rectWidth = this.rectWidth;
    const rectRow = this.rectRow;
    const rectColor = this.rectColor;
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = this.background;
    ctx.fillRect(0, 0, width, height);
    const colorCount = fillerColor + 1;
    if (this.colorStart.length < colorCount + 1) {
      this.colorStart = new Int32Array(colorCount + 1);
      this.colorCursor = new Int32Array(colorCount + 1);
    }
    const colorStart = this.colorStart;
    const cursor = this.colorCursor;
    colorStart.fill(0, 0, colorCount + 1);
    for (let k = 0; k < count; k++) colorStart[rectColor[k]! + 1]++;
    for (let c = 0; c < colorCount; c++) colorStart[c + 1] += colorStart[c]!;
    cursor.set(colorStart.subarray(0, colorCount));
    const order = this.order;
    for (let k = 0; k < count; k++) order[cursor[rectColor[k]!]!++] = k;
    for (let c = 0; c < colorCount; c++) {
      const from = colorStart[c]!;
      const to = colorStart[c + 1]!;
      if (from === to) continue;
      ctx.fillStyle =
        c === 0
          ? DIMMED_FILL
          : c === fillerColor
            ? SMALL_FRAMES_FILL
            : c < packageOffset
              ? DIFF_PALETTE[c - 1]!
              : this.packageFill[c - packageOffset]!;
      for (let j = from; j < to; j++) {
        const k = order[j]!;
        const left = rectLeft[k]!;
        const right = left + rectWidth[k]!;
        const x = Math.max(left, 0);
        const w = Math.min(right, width) - x;
        ctx.fillRect(x, rectRow[k]! * ROW_HEIGHT - scrollTop, w > 1.5 ? w - 0.5 : w, ROW_HEIGHT - 1);
      }
    }
  }

  /** Pass 3: outlines of search matches, one path. */
  private outlineMatches(scrollTop: number): void {
    const ctx = this.ctx;
    const width = this.cssWidth;
    const count = this.rectCount;
    const rectNode = this.rectNode;
    const rectLeft = this.rectLeft;
    const rectWidth = this.rectWidth;
    const rectRow = this.rectRow;
    const rectColor = this.rectColor;
    ctx.strokeStyle = HIGHLIGHT_STROKE;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let k = 0; k < count; k++) {
      if (rectNode[k]! > 0 && rectColor[k] !== 0) {
        const left = rectLeft[k]!;
        const x = Math.max(left, 0);
        const w = Math.min(left + rectWidth[k]!, width) - x;
        ctx.rect(x + 0.75, rectRow[k]! * ROW_HEIGHT - scrollTop + 0.75, Math.max(0, w - 2), ROW_HEIGHT - 2.5);
      }
    }
    ctx.stroke();
  }

  /**
   * Pass 4: labels where they fit (monospace, so the fit is arithmetic, not measureText). Returns
   * the hovered frame's rectangle, -1 when it is not drawn.
   */
  private drawLabels(data: FlameData, scrollTop: number): number {
    const ctx = this.ctx;
    const width = this.cssWidth;
    const count = this.rectCount;
    const rectNode = this.rectNode;
    const rectLeft = this.rectLeft;
    const rectWidth = this.rectWidth;
    const rectRow = this.rectRow;
    const rectColor = this.rectColor;
    ctx.font = FONT;
    ctx.textBaseline = "middle";
    const charWidth = this.charWidth;
    const minLabelWidth = charWidth * 3 + 6;
    let hoveredRect = -1;
    let italic = false;
    for (let k = 0; k < count; k++) {
      const i = rectNode[k]!;
      if (i < 0) continue;
      if (i === this.hovered) hoveredRect = k;
      const left = rectLeft[k]!;
      const x = Math.max(left, 0);
      const w = Math.min(left + rectWidth[k]!, width) - x;
      if (w <= minLabelWidth) continue;
      const label = nameOf(data, i);
      const fit = Math.floor((w - 6) / charWidth);
      const text = label.length <= fit ? label : `${label.slice(0, Math.max(1, fit - 1))}…`;
      ctx.fillStyle = rectColor[k] !== 0 ? TEXT : DIMMED_TEXT;
      if ((data.inlined[i] === 1) !== italic) {
        italic = !italic;
        ctx.font = italic ? `italic ${FONT}` : FONT;
      }
      ctx.fillText(text, x + 3, rectRow[k]! * ROW_HEIGHT - scrollTop + ROW_HEIGHT / 2);
    }
    if (italic) ctx.font = FONT;
    return hoveredRect;
  }

  /** The outline of one drawn rectangle (the hovered frame). */
  private outlineRect(k: number, scrollTop: number): void {
    const ctx = this.ctx;
    const left = this.rectLeft[k]!;
    const x = Math.max(left, 0);
    const w = Math.min(left + this.rectWidth[k]!, this.cssWidth) - x;
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1;
    ctx.strokeRect(
      x + 0.5,
      this.rectRow[k]! * ROW_HEIGHT - scrollTop + 0.5,
      Math.max(0, w - 1.5),
      ROW_HEIGHT - 2,
    );
  }

  /** Counts the draw, keeps its time (the last 1000), and reports the first paint of new data. */
  private recordDraw(reason: string, started: number): void {
    this.drawCount++;
    const ms = performance.now() - started;
    this.timings.push({ reason, ms });
    if (this.timings.length > 1000) this.timings.splice(0, this.timings.length - 1000);
    if (reason === "data") {
      const first = this.onFirstPaint;
      this.onFirstPaint = null;
      first?.();
    }
  }

  /**
   * Pass 1: which nodes are visible, where, in which colour, into the rect buffers. One preorder
   * walk, everything in locals (it runs cold on the first paint, before the JIT has warmed up).
   * Runs of adjacent frames too narrow to draw one by one are merged into one grey "small frames"
   * filler per row, so many tiny callees do not leave a blank that reads as self time.
   */
  private collect(
    data: FlameData,
    width: number,
    firstRow: number,
    lastRow: number,
    packageOffset: number,
    fillerColor: number,
  ): void {
    const { weight, depth, subtreeEnd, nameIndex, packageIndex, maxDepth, total } = data;
    const n = data.nodeCount;
    const x0 = this.x0;
    const scale = width / (this.x1 - x0);
    const inverted = this.options.inverted === true;
    const matches = this.matchByName;
    const baseTotal = data.diff ? data.baseTotal : null;
    if (this.pendingStart.length < maxDepth + 2) {
      this.pendingStart = new Float64Array(maxDepth + 2);
      this.pendingEnd = new Float64Array(maxDepth + 2);
      this.nextLeft = new Float64Array(maxDepth + 2);
    }
    const pendingStart = this.pendingStart;
    const pendingEnd = this.pendingEnd;
    const nextLeft = this.nextLeft;
    pendingEnd.fill(-1);
    nextLeft[0] = 0;
    // In a row, drawn rectangles and fillers are disjoint and at least MIN_DRAW_WIDTH (1 px) wide,
    // so a row holds at most width + 2 of them: with that room the buffers never grow mid-walk.
    // (`full` only guards against a malformed tree, whose widths could break that bound.)
    this.ensureCapacity(Math.max(0, lastRow - firstRow + 1) * (Math.ceil(width) + 2) + 1);
    const full = this.rectNode.length - 1;
    const rectNode = this.rectNode;
    const rectLeft = this.rectLeft;
    const rectWidth = this.rectWidth;
    const rectRow = this.rectRow;
    const rectColor = this.rectColor;
    let count = 0;
    for (let i = 0; i < n && count < full; ) {
      const d = depth[i]!;
      const xLeft = nextLeft[d]!;
      const wgt = weight[i]!;
      nextLeft[d] = xLeft + wgt;
      const left = (xLeft - x0) * scale;
      const w = wgt * scale;
      const row = inverted ? maxDepth - d : d;
      const end = subtreeEnd[i]!;
      if (w < MIN_DRAW_WIDTH || left + w <= 0 || left >= width) {
        if (w < MIN_DRAW_WIDTH && left + w > 0 && left < width && row >= firstRow && row <= lastRow) {
          const pending = pendingEnd[row]!;
          if (pending >= 0 && Math.abs(left - pending) < 0.01) {
            pendingEnd[row] = left + w;
          } else {
            if (pending >= 0) {
              // The run before ends here: its filler, when it amounts to a pixel.
              const start = Math.max(0, pendingStart[row]!);
              const stop = Math.min(width, pending);
              if (stop - start >= MIN_DRAW_WIDTH) {
                rectNode[count] = -1;
                rectLeft[count] = start;
                rectWidth[count] = stop - start;
                rectRow[count] = row;
                rectColor[count] = fillerColor;
                count++;
              }
            }
            pendingStart[row] = left;
            pendingEnd[row] = left + w;
          }
        }
        i = end > i ? end : i + 1;
        continue;
      }
      // Descendants are one row further in the same direction; stop once past the viewport.
      if (inverted ? row < firstRow : row > lastRow) {
        i = end > i ? end : i + 1;
        continue;
      }
      nextLeft[d + 1] = xLeft;
      if (row >= firstRow && row <= lastRow) {
        const name = nameIndex[i]!;
        rectNode[count] = i;
        rectLeft[count] = left;
        rectWidth[count] = w;
        rectRow[count] = row;
        rectColor[count] =
          matches !== null && matches[name] !== 1
            ? 0
            : baseTotal !== null
              ? 1 + diffColorIndex(baseTotal[i]!, total[i]!)
              : packageOffset + packageIndex[name]!;
        count++;
      }
      i++;
    }
    for (let row = firstRow; row <= lastRow && count < full; row++) {
      const pending = pendingEnd[row]!;
      if (pending < 0) continue;
      const start = Math.max(0, pendingStart[row]!);
      const stop = Math.min(width, pending);
      if (stop - start < MIN_DRAW_WIDTH) continue;
      rectNode[count] = -1;
      rectLeft[count] = start;
      rectWidth[count] = stop - start;
      rectRow[count] = row;
      rectColor[count] = fillerColor;
      count++;
    }
    this.rectCount = count;
  }

  nodeAt(clientX: number, clientY: number): number {
    const data = this.data;
    if (!data) return -1;
    const rect = this.canvas.getBoundingClientRect();
    const px = clientX - rect.left;
    const py = clientY - rect.top + Math.max(0, this.canvasTop);
    const row = Math.floor(py / ROW_HEIGHT);
    const targetDepth = this.options.inverted ? data.maxDepth - row : row;
    if (targetDepth < 0 || targetDepth > data.maxDepth) return -1;
    const xw = this.x0 + px / (this.cssWidth / (this.x1 - this.x0));
    const { weight, subtreeEnd } = data;
    if (xw < 0 || xw >= weight[0]!) return -1;
    // Down from the root, across each level's children (their left edges add up) to the one under x.
    let node = 0;
    let left = 0;
    for (let d = 1; d <= targetDepth; d++) {
      let found = -1;
      for (let c = node + 1; c < subtreeEnd[node]!; c = subtreeEnd[c]!) {
        if (xw < left + weight[c]!) {
          found = c;
          break;
        }
        left += weight[c]!;
      }
      if (found < 0) return -1;
      node = found;
    }
    // Too narrow to be drawn means not clickable either.
    if (weight[node]! * (this.cssWidth / (this.x1 - this.x0)) < MIN_DRAW_WIDTH) return -1;
    return node;
  }

  private nodeAtEvent(e: MouseEvent): number {
    return this.nodeAt(e.clientX, e.clientY);
  }

  private handleMove(e: MouseEvent): void {
    this.setHovered(this.nodeAtEvent(e), e.clientX, e.clientY);
  }

  private setHovered(node: number, clientX: number, clientY: number): void {
    if (node !== this.hovered) {
      this.hovered = node;
      this.requestDraw("hover");
    }
    this.options.onHover?.(node >= 0 ? node : null, clientX, clientY);
  }

  private handleWheel(e: WheelEvent): void {
    const data = this.data;
    if (!data) return;
    const zooming = e.ctrlKey || e.metaKey;
    const panning = !zooming && Math.abs(e.deltaX) > Math.abs(e.deltaY);
    if (!zooming && !panning) return;
    e.preventDefault();
    const rootWidth = data.weight[0]!;
    const span = this.x1 - this.x0;
    const rect = this.canvas.getBoundingClientRect();
    if (zooming) {
      const anchor = this.x0 + ((e.clientX - rect.left) / this.cssWidth) * span;
      const factor = Math.exp(e.deltaY * 0.002);
      const newSpan = Math.min(rootWidth, Math.max(rootWidth * 1e-9, span * factor));
      const ratio = (anchor - this.x0) / span;
      this.setRange(anchor - ratio * newSpan, newSpan, "zoom");
    } else {
      this.setRange(this.x0 + (e.deltaX / this.cssWidth) * span, span, "pan");
    }
  }

  /** Shows [start, start + span), kept inside the root. */
  setRange(start: number, span: number, reason = "zoom"): void {
    const data = this.data;
    if (!data) return;
    const rootWidth = data.weight[0]!;
    span = Math.min(rootWidth, span);
    start = Math.max(0, Math.min(rootWidth - span, start));
    this.x0 = start;
    this.x1 = start + span;
    this.focused = 0;
    // Wheel events can come faster than frames: draw once per frame, with the latest range.
    this.requestDraw(reason);
    this.options.onViewChange?.();
  }
}
