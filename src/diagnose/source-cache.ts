/**
 * Source files named in profiles, read once each through the input's callback (no I/O here), with the
 * helpers hints need: a line, the body of the function around a line, and the bodies of the same-file
 * functions a body calls.
 */

const MAX_SOURCE_BYTES = 4 << 20;
const MAX_CALLEES = 8;
/** Called names that are never functions of the file. */
const NOT_CALLEES = new Set([
  "if",
  "for",
  "switch",
  "func",
  "return",
  "make",
  "new",
  "append",
  "len",
  "cap",
  "copy",
  "delete",
  "panic",
  "recover",
  "print",
  "println",
  "close",
  "clear",
  "min",
  "max",
  "string",
  "byte",
  "rune",
  "int",
  "int64",
  "uint64",
]);

export class SourceCache {
  private readonly files = new Map<string, string[] | null>();
  constructor(private readonly read?: (file: string) => string | undefined) {}

  lines(file: string): string[] | null {
    if (!this.read || file === "") return null;
    if (!this.files.has(file)) {
      let text: string | undefined;
      try {
        text = this.read(file);
      } catch {
        text = undefined;
      }
      this.files.set(file, text !== undefined && text.length <= MAX_SOURCE_BYTES ? text.split("\n") : null);
    }
    return this.files.get(file) ?? null;
  }

  line(file: string, line: number): string | null {
    const lines = this.lines(file);
    return lines && line >= 1 && line <= lines.length ? lines[line - 1] : null;
  }

  /** The body of the function containing `line`: from its `func` line to the closing brace at column 0. */
  functionBody(file: string, line: number, startLine = 0): { text: string; from: number } | null {
    const lines = this.lines(file);
    if (!lines || line < 1 || line > lines.length) return null;
    let from = startLine > 0 && startLine <= line ? startLine : line;
    if (!(startLine > 0)) while (from > 1 && !/^func\b/.test(lines[from - 1])) from--;
    let to = line;
    while (to < lines.length && lines[to - 1] !== "}") to++;
    return { text: lines.slice(from - 1, to).join("\n"), from };
  }

  /** Bodies of the functions and methods declared in `file` that `body` calls (one level deep). */
  calleeBodies(file: string, body: string): string[] {
    const lines = this.lines(file);
    if (!lines) return [];
    const names = new Set<string>();
    for (const match of body.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
      if (!NOT_CALLEES.has(match[1])) names.add(match[1]);
    }
    const out: string[] = [];
    for (const name of names) {
      if (out.length >= MAX_CALLEES) break;
      const declaration = new RegExp(`^func\\s+(\\([^)]*\\)\\s*)?${name}\\s*[[(]`);
      const index = lines.findIndex((l) => declaration.test(l));
      if (index < 0) continue;
      const found = this.functionBody(file, index + 1, index + 1);
      if (found && !body.includes(found.text)) out.push(found.text);
    }
    return out;
  }
}
