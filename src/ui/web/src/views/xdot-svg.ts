/**
 * Builds an SVG element from Graphviz's JSON output (xdot drawing operations) with DOM calls only:
 * labels become text nodes, so a function named `<img onerror=...>` is just text.
 */
const SVG = "http://www.w3.org/2000/svg";

interface XdotOp {
  op: string;
  color?: string;
  points?: number[][];
  rect?: number[];
  pt?: number[];
  text?: string;
  align?: string;
  width?: number;
  size?: number;
  face?: string;
  style?: string;
}

interface GraphObject {
  name?: string;
  _draw_?: XdotOp[];
  _ldraw_?: XdotOp[];
  _hdraw_?: XdotOp[];
  _tdraw_?: XdotOp[];
  _hldraw_?: XdotOp[];
  _tldraw_?: XdotOp[];
  tooltip?: string;
  id?: string;
}

export interface GraphJson extends GraphObject {
  bb: string;
  objects?: GraphObject[];
  edges?: Array<GraphObject & { tail: number; head: number }>;
}

const safeColor = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]+)$/;

function color(value: string | undefined, fallback: string): string {
  if (!value || !safeColor.test(value)) return fallback;
  // Graphviz writes transparent as #fffffe00.
  return value;
}

class Pen {
  stroke = "#000000";
  fill = "none";
  fontSize = 14;
  fontFamily = "Helvetica, Arial, 'Liberation Sans', sans-serif";
  lineWidth = 1;
  dashed = false;
}

function drawOps(parent: SVGElement, ops: XdotOp[] | undefined, height: number, pen: Pen): void {
  if (!ops) return;
  const y = (v: number) => height - v;
  const pts = (points: number[][]) => points.map((p) => `${p[0]},${y(p[1]!)}`).join(" ");
  for (const op of ops) {
    switch (op.op) {
      case "c":
        pen.stroke = color(op.color, "#000000");
        break;
      case "C":
        pen.fill = color(op.color, "none");
        break;
      case "F":
        pen.fontSize = op.size ?? 14;
        // Graphviz measured the text with its Helvetica metrics; draw with a metric-compatible face.
        pen.fontFamily = "Helvetica, Arial, 'Liberation Sans', sans-serif";
        break;
      case "S":
        if (op.style?.startsWith("setlinewidth(")) pen.lineWidth = Number.parseFloat(op.style.slice(13)) || 1;
        else if (op.style === "dashed" || op.style === "dotted") pen.dashed = true;
        else if (op.style === "solid") pen.dashed = false;
        break;
      case "p":
      case "P":
      case "L": {
        if (!op.points) break;
        const el = document.createElementNS(SVG, op.op === "L" ? "polyline" : "polygon");
        el.setAttribute("points", pts(op.points));
        el.setAttribute("stroke", pen.stroke);
        el.setAttribute("stroke-width", String(pen.lineWidth));
        el.setAttribute("fill", op.op === "P" ? pen.fill : "none");
        if (pen.dashed) el.setAttribute("stroke-dasharray", "5,2");
        parent.appendChild(el);
        break;
      }
      case "b":
      case "B": {
        if (!op.points || op.points.length < 4) break;
        const p = op.points;
        let d = `M${p[0]![0]},${y(p[0]![1]!)}`;
        for (let k = 1; k + 2 < p.length; k += 3) {
          d += ` C${p[k]![0]},${y(p[k]![1]!)} ${p[k + 1]![0]},${y(p[k + 1]![1]!)} ${p[k + 2]![0]},${y(p[k + 2]![1]!)}`;
        }
        const el = document.createElementNS(SVG, "path");
        el.setAttribute("d", d);
        el.setAttribute("stroke", pen.stroke);
        el.setAttribute("stroke-width", String(pen.lineWidth));
        el.setAttribute("fill", op.op === "B" ? pen.fill : "none");
        if (pen.dashed) el.setAttribute("stroke-dasharray", "5,2");
        parent.appendChild(el);
        break;
      }
      case "e":
      case "E": {
        if (!op.rect) break;
        const el = document.createElementNS(SVG, "ellipse");
        el.setAttribute("cx", String(op.rect[0]));
        el.setAttribute("cy", String(y(op.rect[1]!)));
        el.setAttribute("rx", String(op.rect[2]));
        el.setAttribute("ry", String(op.rect[3]));
        el.setAttribute("stroke", pen.stroke);
        el.setAttribute("fill", op.op === "E" ? pen.fill : "none");
        parent.appendChild(el);
        break;
      }
      case "T": {
        if (!op.pt || op.text === undefined) break;
        const el = document.createElementNS(SVG, "text");
        el.setAttribute("x", String(op.pt[0]));
        el.setAttribute("y", String(y(op.pt[1]!)));
        el.setAttribute("text-anchor", op.align === "l" ? "start" : op.align === "r" ? "end" : "middle");
        el.setAttribute("font-size", String(pen.fontSize));
        el.setAttribute("font-family", pen.fontFamily);
        el.setAttribute("fill", pen.stroke);
        el.textContent = op.text;
        parent.appendChild(el);
        break;
      }
      default:
        break;
    }
  }
}

export interface GraphDrawing {
  svg: SVGSVGElement;
  /** The graph's extent in SVG units (y grows downwards). */
  box: { x: number; y: number; w: number; h: number };
  /** Node groups by function name (the tooltip Graphviz carries). */
  nodes: Map<string, SVGGElement>;
}

function drawEdge(edge: GraphObject, y1: number): SVGGElement {
  const g = document.createElementNS(SVG, "g");
  g.setAttribute("class", "edge");
  const pen = new Pen();
  drawOps(g, edge._draw_, y1, pen);
  drawOps(g, edge._hdraw_, y1, pen);
  drawOps(g, edge._tdraw_, y1, pen);
  drawOps(g, edge._ldraw_, y1, new Pen());
  if (edge.tooltip) {
    const title = document.createElementNS(SVG, "title");
    title.textContent = edge.tooltip;
    g.appendChild(title);
  }
  return g;
}

/** A node: a focusable button named by its <title> (Enter or Space acts like a click). */
function drawNode(node: GraphObject, y1: number, onNodeClick?: (name: string) => void): SVGGElement {
  const g = document.createElementNS(SVG, "g");
  g.setAttribute("class", "node");
  drawOps(g, node._draw_, y1, new Pen());
  drawOps(g, node._ldraw_, y1, new Pen());
  const name = node.tooltip;
  if (name) {
    // The hover text and the accessible name: every line of the label, the name in full.
    const lines = (node._ldraw_ ?? [])
      .filter((op) => op.op === "T" && op.text !== undefined)
      .map((op) => op.text!);
    const title = document.createElementNS(SVG, "title");
    title.textContent = [name, ...lines.slice(1)].join("\n");
    g.appendChild(title);
    g.dataset.name = name;
  }
  if (onNodeClick && name) {
    g.setAttribute("role", "button");
    g.setAttribute("tabindex", "0");
    g.addEventListener("click", () => onNodeClick(name));
    g.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" && e.key !== " ") return;
      e.preventDefault();
      e.stopPropagation();
      onNodeClick(name);
    });
  }
  return g;
}

/**
 * The graph as SVG, sized to its container (the caller sets the viewBox: graph-pan-zoom.ts). The
 * graph's own background is left out so the page's theme shows through.
 */
export function graphToSvg(graph: GraphJson, onNodeClick?: (name: string) => void): GraphDrawing {
  const [x0, y0, x1, y1] = graph.bb.split(",").map(Number) as [number, number, number, number];
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `${x0} 0 ${x1 - x0} ${y1 - y0}`);
  svg.setAttribute("width", "100%");
  svg.setAttribute("height", "100%");
  svg.setAttribute("class", "callgraph-svg");
  for (const edge of graph.edges ?? []) svg.appendChild(drawEdge(edge, y1));
  const nodes = new Map<string, SVGGElement>();
  for (const node of graph.objects ?? []) {
    const g = drawNode(node, y1, onNodeClick);
    if (node.tooltip) nodes.set(node.tooltip, g);
    svg.appendChild(g);
  }
  return { svg, box: { x: x0, y: 0, w: x1 - x0, h: y1 - y0 }, nodes };
}
