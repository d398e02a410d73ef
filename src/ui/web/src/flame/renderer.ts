/**
 * The canvas flame graph. Imperative on purpose: a redraw walks the typed arrays once, skipping every
 * subtree that is off screen or narrower than MIN_DRAW_WIDTH, so 100k+ nodes redraw in a few ms.
 *
 * Geometry: the visible range [x0, x1) is in weight units; a node spans
 * [(x - x0) * scale, (x + weight - x0) * scale) px with scale = width / (x1 - x0). Row = depth
 * (root on top), or maxDepth - depth when inverted (the callers half of the sandwich).
 * Only the rows in the scrolled viewport are drawn; the canvas is as tall as the viewport.
 */
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
import type { FlameData } from "./data.js";

export const ROW_HEIGHT = 18;
/** Nodes narrower than this (in CSS px) are not drawn, nor are their descendants. */
export const MIN_DRAW_WIDTH = 1;
const FONT = "12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";

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
  // The last draw's rectangles, in typed arrays (a draw allocates no object per node).
  private rectCount = 0;
  private rectNode = new Int32Array(0);
  private rectX = new Float64Array(0);
  private rectW = new Float64Array(0);
  private rectDrawnX = new Float64Array(0);
  private rectDrawnW = new Float64Array(0);
  private rectY = new Float64Array(0);
  private rectColor = new Int32Array(0);
  private rectMatched = new Uint8Array(0);
  private order = new Int32Array(0);
  private pendingStart = new Float64Array(0);
  private pendingEnd = new Float64Array(0);
  private colorStart = new Int32Array(0);
  private readonly resizeObserver: ResizeObserver;
  private pendingFrame = 0;
  private pendingReason = "";
  readonly timings: RedrawTiming[] = [];
  drawCount = 0;
  onFirstPaint: (() => void) | null = null;

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
      if (pattern.test(data.names[i]!)) {
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
    this.focused = node;
    this.x0 = data.x[node]!;
    this.x1 = data.x[node]! + Math.max(data.weight[node]!, Number.MIN_VALUE);
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
      out.push({
        node,
        name: node === 0 ? data.rootLabel : data.names[data.nameIndex[node]!]!,
        depth: data.depth[node]!,
        x: this.rectX[k]!,
        width: this.rectW[k]!,
        drawnX: this.rectDrawnX[k]!,
        drawnWidth: this.rectDrawnW[k]!,
        y: this.rectY[k]!,
        matched: this.rectMatched[k] === 1,
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

  /** Grows the per-draw rectangle buffers to hold `n` rectangles. */
  private ensureCapacity(n: number): void {
    if (this.rectNode.length >= n) return;
    const size = Math.max(n, this.rectNode.length * 2, 1024);
    this.rectNode = new Int32Array(size);
    this.rectX = new Float64Array(size);
    this.rectW = new Float64Array(size);
    this.rectDrawnX = new Float64Array(size);
    this.rectDrawnW = new Float64Array(size);
    this.rectY = new Float64Array(size);
    this.rectColor = new Int32Array(size);
    this.rectMatched = new Uint8Array(size);
    this.order = new Int32Array(size);
  }

  draw(reason: string): void {
    const data = this.data;
    if (!data) return;
    const started = performance.now();
    this.resize();
    const ctx = this.ctx;
    const width = this.cssWidth;
    const height = this.cssHeight;
    const scrollTop = Math.min(
      this.container.scrollTop,
      Math.max(0, (data.maxDepth + 1) * ROW_HEIGHT - height),
    );
    this.canvas.style.top = `${scrollTop}px`;
    const firstRow = Math.floor(scrollTop / ROW_HEIGHT);
    const lastRow = Math.ceil((scrollTop + height) / ROW_HEIGHT) - 1;
    const scale = width / (this.x1 - this.x0);
    const { x, weight, depth, subtreeEnd, nameIndex, packageIndex } = data;
    const inverted = this.options.inverted === true;
    const maxDepth = data.maxDepth;
    const matches = this.matchByName;
    const diff = data.diff && data.baseTotal !== null;
    const baseTotal = data.baseTotal;
    const total = data.total;
    // Colour ids: 0 dimmed, 1.. the diff palette, then one per package.
    const packageOffset = 1 + DIFF_PALETTE.length;
    const n = data.nodeCount;

    // Pass 1: which nodes are visible, where, in which colour. Typed arrays, no objects per node.
    // Runs of adjacent frames too narrow to draw one by one are merged into one grey "small frames"
    // filler per row, so many tiny callees do not leave a blank that reads as self time.
    const fillerColor = packageOffset + data.packages.length;
    if (this.pendingStart.length < maxDepth + 1) {
      this.pendingStart = new Float64Array(maxDepth + 1);
      this.pendingEnd = new Float64Array(maxDepth + 1);
    }
    const pendingStart = this.pendingStart;
    const pendingEnd = this.pendingEnd;
    pendingEnd.fill(-1);
    let count = 0;
    const emitFiller = (row: number) => {
      const start = Math.max(0, pendingStart[row]!);
      const end = Math.min(width, pendingEnd[row]!);
      pendingEnd[row] = -1;
      if (end - start < MIN_DRAW_WIDTH) return;
      if (count >= this.rectNode.length) this.growKeeping(count);
      this.rectNode[count] = -1;
      this.rectX[count] = start;
      this.rectW[count] = end - start;
      this.rectDrawnX[count] = start;
      this.rectDrawnW[count] = end - start;
      this.rectY[count] = row * ROW_HEIGHT - scrollTop;
      this.rectMatched[count] = 0;
      this.rectColor[count] = fillerColor;
      count++;
    };
    for (let i = 0; i < n; ) {
      const left = (x[i]! - this.x0) * scale;
      const w = weight[i]! * scale;
      if (w < MIN_DRAW_WIDTH || left + w <= 0 || left >= width) {
        if (w < MIN_DRAW_WIDTH && left + w > 0 && left < width) {
          const row = inverted ? maxDepth - depth[i]! : depth[i]!;
          if (row >= firstRow && row <= lastRow) {
            if (pendingEnd[row]! >= 0 && Math.abs(left - pendingEnd[row]!) < 0.01) {
              pendingEnd[row] = left + w;
            } else {
              if (pendingEnd[row]! >= 0) emitFiller(row);
              pendingStart[row] = left;
              pendingEnd[row] = left + w;
            }
          }
        }
        i = subtreeEnd[i]!;
        continue;
      }
      const d = depth[i]!;
      const row = inverted ? maxDepth - d : d;
      // Descendants are one row further in the same direction; stop once past the viewport.
      if (inverted ? row < firstRow : row > lastRow) {
        i = subtreeEnd[i]!;
        continue;
      }
      if (row >= firstRow && row <= lastRow) {
        if (count >= this.rectNode.length) this.growKeeping(count);
        const drawLeft = Math.max(left, 0);
        const drawRight = Math.min(left + w, width);
        const name = nameIndex[i]!;
        const matched = matches === null || matches[name] === 1;
        this.rectNode[count] = i;
        this.rectX[count] = left;
        this.rectW[count] = w;
        this.rectDrawnX[count] = drawLeft;
        this.rectDrawnW[count] = drawRight - drawLeft;
        this.rectY[count] = row * ROW_HEIGHT - scrollTop;
        this.rectMatched[count] = matched ? 1 : 0;
        this.rectColor[count] = !matched
          ? 0
          : diff
            ? 1 + diffColorIndex(baseTotal![i]!, total[i]!)
            : packageOffset + packageIndex[name]!;
        count++;
      }
      i++;
    }
    for (let row = 0; row <= maxDepth; row++) if (pendingEnd[row]! >= 0) emitFiller(row);
    this.rectCount = count;

    // Pass 2: fills, grouped by colour (a counting sort), so each colour is set once.
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, width, height);
    const colorCount = fillerColor + 1;
    if (this.colorStart.length < colorCount + 1) this.colorStart = new Int32Array(colorCount + 1);
    const colorStart = this.colorStart;
    colorStart.fill(0, 0, colorCount + 1);
    for (let k = 0; k < count; k++) colorStart[this.rectColor[k]! + 1]++;
    for (let c = 0; c < colorCount; c++) colorStart[c + 1] += colorStart[c]!;
    const cursor = colorStart.slice(0, colorCount);
    const order = this.order;
    for (let k = 0; k < count; k++) order[cursor[this.rectColor[k]!]!++] = k;
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
        const dw = this.rectDrawnW[k]!;
        ctx.fillRect(this.rectDrawnX[k]!, this.rectY[k]!, dw > 1.5 ? dw - 0.5 : dw, ROW_HEIGHT - 1);
      }
    }

    // Pass 3: outlines of search matches and of the hovered frame.
    if (matches !== null) {
      ctx.strokeStyle = HIGHLIGHT_STROKE;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let k = 0; k < count; k++) {
        if (this.rectMatched[k] && this.rectNode[k] !== 0) {
          ctx.rect(
            this.rectDrawnX[k]! + 0.75,
            this.rectY[k]! + 0.75,
            Math.max(0, this.rectDrawnW[k]! - 2),
            ROW_HEIGHT - 2.5,
          );
        }
      }
      ctx.stroke();
    }

    // Pass 4: labels where they fit (monospace, so the fit is arithmetic, not measureText).
    ctx.font = FONT;
    ctx.textBaseline = "middle";
    const charWidth = this.charWidth;
    const minLabelWidth = charWidth * 3 + 6;
    const names = data.names;
    let hoveredRect = -1;
    for (let k = 0; k < count; k++) {
      const i = this.rectNode[k]!;
      if (i < 0) continue;
      if (i === this.hovered) hoveredRect = k;
      const drawWidth = this.rectDrawnW[k]!;
      if (drawWidth <= minLabelWidth) continue;
      const label = i === 0 ? data.rootLabel : names[nameIndex[i]!]!;
      const fit = Math.floor((drawWidth - 6) / charWidth);
      const text = label.length <= fit ? label : `${label.slice(0, Math.max(1, fit - 1))}…`;
      ctx.fillStyle = this.rectMatched[k] ? TEXT : DIMMED_TEXT;
      if (data.inlined[i]) {
        ctx.font = `italic ${FONT}`;
        ctx.fillText(text, this.rectDrawnX[k]! + 3, this.rectY[k]! + ROW_HEIGHT / 2);
        ctx.font = FONT;
      } else {
        ctx.fillText(text, this.rectDrawnX[k]! + 3, this.rectY[k]! + ROW_HEIGHT / 2);
      }
    }
    if (hoveredRect >= 0) {
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1;
      ctx.strokeRect(
        this.rectDrawnX[hoveredRect]! + 0.5,
        this.rectY[hoveredRect]! + 0.5,
        Math.max(0, this.rectDrawnW[hoveredRect]! - 1.5),
        ROW_HEIGHT - 2,
      );
    }

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

  private growKeeping(count: number): void {
    const keep = {
      node: this.rectNode,
      x: this.rectX,
      w: this.rectW,
      dx: this.rectDrawnX,
      dw: this.rectDrawnW,
      y: this.rectY,
      color: this.rectColor,
      matched: this.rectMatched,
    };
    this.ensureCapacity(Math.max(1024, (count + 1) * 2));
    this.rectNode.set(keep.node.subarray(0, count));
    this.rectX.set(keep.x.subarray(0, count));
    this.rectW.set(keep.w.subarray(0, count));
    this.rectDrawnX.set(keep.dx.subarray(0, count));
    this.rectDrawnW.set(keep.dw.subarray(0, count));
    this.rectY.set(keep.y.subarray(0, count));
    this.rectColor.set(keep.color.subarray(0, count));
    this.rectMatched.set(keep.matched.subarray(0, count));
  }

  nodeAt(clientX: number, clientY: number): number {
    const data = this.data;
    if (!data) return -1;
    const rect = this.canvas.getBoundingClientRect();
    const px = clientX - rect.left;
    const py = clientY - rect.top + Number.parseFloat(this.canvas.style.top || "0");
    const row = Math.floor(py / ROW_HEIGHT);
    const targetDepth = this.options.inverted ? data.maxDepth - row : row;
    if (targetDepth < 0 || targetDepth > data.maxDepth) return -1;
    const xw = this.x0 + px / (this.cssWidth / (this.x1 - this.x0));
    const { x, weight, subtreeEnd } = data;
    if (xw < x[0]! || xw >= x[0]! + weight[0]!) return -1;
    let node = 0;
    for (let d = 1; d <= targetDepth; d++) {
      let found = -1;
      for (let c = node + 1; c < subtreeEnd[node]!; c = subtreeEnd[c]!) {
        if (xw >= x[c]! && xw < x[c]! + weight[c]!) {
          found = c;
          break;
        }
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
    this.draw(reason);
    this.options.onViewChange?.();
  }
}
