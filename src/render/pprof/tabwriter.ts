/**
 * Go's text/tabwriter (padding 1, space padding, optional AlignRight), which pprof's `tags` report
 * is laid out with. Cells end at tabs; the last cell of a line is not part of any column; a column
 * block is a run of consecutive lines that have that column, and its width is its widest cell + 1.
 */
import { runeCount } from "../../profile/go-format.js";

interface Cell {
  text: string;
  width: number;
}

export function tabwriterFormat(text: string, options: { alignRight: boolean; padding?: number }): string {
  const padding = options.padding ?? 1;
  const lines: Cell[][] = text
    .split("\n")
    .map((line) => line.split("\t").map((cell) => ({ text: cell, width: runeCount(cell) })));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number) => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i]!;
      let s = "";
      for (let j = 0; j < line.length; j++) {
        const c = line[j]!;
        const pad = j < widths.length ? " ".repeat(Math.max(0, widths[j]! - c.width)) : "";
        if (c.text === "") s += pad;
        else if (options.alignRight) s += pad + c.text;
        else s += c.text + pad;
      }
      out.push(s);
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= lines[current]!.length - 1) continue;
      writeLines(line0, current);
      line0 = current;
      let width = 0;
      for (; current < line1; current++) {
        const line = lines[current]!;
        if (column >= line.length - 1) break;
        const w = line[column]!.width + padding;
        if (w > width) width = w;
      }
      widths.push(width);
      format(line0, current);
      widths.pop();
      line0 = current;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join("\n");
}
