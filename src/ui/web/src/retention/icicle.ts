/**
 * The canvas icicle of the retention tree: the whole reachable heap on top, holders below it, what
 * each holder keeps below that; widths are retained bytes. Imperative like the flame graph's
 * renderer: a redraw walks the (≤ 20 k) nodes once, skipping those narrower than a pixel or outside
 * the zoomed node's span, and draws names with fillText only (untrusted names never become markup).
 */
import type { IcicleTree } from "./tree.js";

export const ROW_HEIGHT = 20;
const FONT = "12px ui-monospace, monospace";
const MIN_WIDTH = 0.5;

export interface IcicleRect {
  node: number;
  name: string;
  x: number;
  y: number;
  width: number;
}

export interface IcicleCallbacks {
  onHover: (node: number | null, clientX: number, clientY: number) => void;
  onClick: (node: number) => void;
}

const HOLDER_HUES: Record<string, number> = { global: 205, stack: 140, closure: 280, finalizer: 30 };

/** Fill colour by what the node is: the holder's kind sets the hue of its subtree; runtime is grey. */
export function nodeFill(tree: IcicleTree, node: number): string {
  const { kind, rootKind } = tree.wire.nodes;
  if (kind[node] === "all") return "hsl(0, 0%, 82%)";
  if (kind[node] === "other") return "hsl(0, 0%, 88%)";
  let holder = node;
  while (tree.parent[holder]! > 0) holder = tree.parent[holder]!;
  const rk = rootKind[holder];
  if (kind[holder] === "shared") return `hsl(50, 55%, ${74 + (tree.depth[node]! % 3) * 4}%)`;
  if (rk === "runtime" || rk === null) return `hsl(210, 10%, ${72 + (tree.depth[node]! % 3) * 4}%)`;
  const hue = HOLDER_HUES[rk] ?? 0;
  return `hsl(${hue}, 50%, ${68 + (tree.depth[node]! % 3) * 5}%)`;
}

export class IcicleRenderer {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private tree: IcicleTree | null = null;
  private zoomed = 0;
  private selected = -1;
  private highlight: Uint8Array | null = null;
  private rects: IcicleRect[] = [];
  private cssWidth = 0;
  private readonly resize: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    private readonly callbacks: IcicleCallbacks,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "retention-canvas";
    container.appendChild(this.canvas);
    this.ctx = this.canvas.getContext("2d")!;
    this.canvas.addEventListener("mousemove", (e) => {
      const node = this.nodeAtClient(e.clientX, e.clientY);
      this.callbacks.onHover(node, e.clientX, e.clientY);
    });
    this.canvas.addEventListener("mouseleave", () => this.callbacks.onHover(null, 0, 0));
    this.canvas.addEventListener("click", (e) => {
      const node = this.nodeAtClient(e.clientX, e.clientY);
      if (node !== null) this.callbacks.onClick(node);
    });
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(container);
  }

  destroy(): void {
    this.resize.disconnect();
    this.canvas.remove();
  }

  setTree(tree: IcicleTree): void {
    this.tree = tree;
    this.zoomed = 0;
    this.selected = -1;
    this.draw();
  }

  setState(state: { zoomed: number; selected: number; highlight: Uint8Array | null }): void {
    this.zoomed = state.zoomed;
    this.selected = state.selected;
    this.highlight = state.highlight;
    this.draw();
  }

  drawnRects(): IcicleRect[] {
    return this.rects.slice();
  }

  /** Client coordinates of a drawn node's centre (for tests' real clicks). */
  pointOf(node: number): { x: number; y: number } | null {
    const rect = this.rects.find((r) => r.node === node);
    if (!rect) return null;
    const box = this.canvas.getBoundingClientRect();
    return { x: box.left + rect.x + rect.width / 2, y: box.top + rect.y + ROW_HEIGHT / 2 };
  }

  private nodeAtClient(clientX: number, clientY: number): number | null {
    const box = this.canvas.getBoundingClientRect();
    const x = clientX - box.left;
    const y = clientY - box.top;
    for (const r of this.rects)
      if (x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + ROW_HEIGHT) return r.node;
    return null;
  }

  draw(): void {
    const tree = this.tree;
    const width = Math.max(100, this.container.clientWidth);
    const height = tree ? (tree.maxDepth + 1) * ROW_HEIGHT : ROW_HEIGHT;
    const ratio = window.devicePixelRatio || 1;
    if (this.cssWidth !== width || this.canvas.height !== Math.round(height * ratio)) {
      this.cssWidth = width;
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.ctx;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    this.rects = [];
    if (!tree || tree.count === 0) return;
    ctx.font = FONT;
    ctx.textBaseline = "middle";
    const charWidth = ctx.measureText("m").width || 7;
    const z = this.zoomed;
    const x0 = tree.left[z]!;
    const span = tree.bytes[z]! || 1;
    const scale = width / span;
    // Preorder: a node is in the zoomed subtree when it is the zoomed node or its parent is in it.
    const place = new Uint8Array(tree.count);
    for (let a = z; a >= 0; a = tree.parent[a]!) place[a] = 2;
    place[z] = 1;
    for (let v = z + 1; v < tree.count; v++) if (place[tree.parent[v]!] === 1) place[v] = 1;
    for (let v = 0; v < tree.count; v++) {
      if (place[v] === 0) continue;
      // Ancestors of the zoomed node span the whole width.
      const x = place[v] === 2 ? 0 : (tree.left[v]! - x0) * scale;
      const w = place[v] === 2 ? width : tree.bytes[v]! * scale;
      if (w < MIN_WIDTH) continue;
      this.paint(tree, v, x, tree.depth[v]! * ROW_HEIGHT, w, charWidth);
    }
  }

  private paint(tree: IcicleTree, v: number, x: number, y: number, w: number, charWidth: number): void {
    const ctx = this.ctx;
    const dimmed = this.highlight !== null && this.highlight[v] !== 1;
    ctx.fillStyle = dimmed ? "hsl(0, 0%, 93%)" : nodeFill(tree, v);
    ctx.fillRect(x, y, Math.max(w - 1, 0.5), ROW_HEIGHT - 1);
    if (this.highlight?.[v] === 1 || v === this.selected) {
      ctx.strokeStyle = v === this.selected ? "#000" : "#b35806";
      ctx.lineWidth = v === this.selected ? 2 : 1.5;
      ctx.strokeRect(x + 1, y + 1, Math.max(w - 3, 0.5), ROW_HEIGHT - 3);
    }
    const name = tree.wire.nodes.name[v]!;
    this.rects.push({ node: v, name, x, y, width: w });
    const fit = Math.floor((w - 6) / charWidth);
    if (fit < 3) return;
    ctx.fillStyle = dimmed ? "#999" : "#1b1b1b";
    ctx.fillText(name.length > fit ? `${name.slice(0, fit - 1)}…` : name, x + 3, y + ROW_HEIGHT / 2);
  }
}
