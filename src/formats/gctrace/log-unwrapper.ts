/**
 * Log wrappers around a program's stderr: Kubernetes CRI lines (`<RFC3339 time> <stream> <P|F>
 * <text>`, P = partial), Docker json-file records (`{"log": "...\n", "stream": ...}`, a piece
 * without the final newline is partial) and structured loggers (`{"msg": ...}`). Partial pieces
 * are joined per stream before the text inside is handed on, line by line.
 */

const CRI_LINE = /^\d{4}-\d\d-\d\dT\S+ (stdout|stderr) ([PF]) ?(.*)$/;

/** Where unwrapped text goes. */
export interface UnwrappedLineSink {
  /** A line of the program's own output; `lineNumber` is its first physical line. */
  logicalLine(text: string, lineNumber: number): void;
  /** A physical line became part of a later one. */
  continuationLine(): void;
}

export class LogUnwrapper {
  /** Partial CRI (`P`) or unterminated JSON log pieces, per stream. */
  private readonly partial = new Map<string, { text: string; lineNumber: number }>();

  constructor(
    /** Joined pieces are cut to this many UTF-16 code units. */
    private readonly maxLineLength: number,
    private readonly sink: UnwrappedLineSink,
  ) {}

  /** Takes a physical line that is a log wrapper; false when it is not one (nothing was done). */
  unwrap(line: string, lineNumber: number): boolean {
    const first = line.charCodeAt(0);
    if (first >= 48 && first <= 57 && line.charCodeAt(4) === 45 && line.charCodeAt(10) === 84) {
      const m = CRI_LINE.exec(line);
      if (m) {
        this.piece(`cri:${m[1]}`, m[3], m[2] === "F", lineNumber);
        return true;
      }
    }
    if (first === 123 /* { */) {
      const unwrapped = unwrapJsonLog(line);
      if (unwrapped) {
        const complete = !unwrapped.docker || unwrapped.text.endsWith("\n");
        this.piece(`json:${unwrapped.stream}`, unwrapped.text, complete, lineNumber);
        return true;
      }
    }
    return false;
  }

  /** The input ended: pieces still waiting for their end are handed on as they are. */
  flush(): void {
    for (const [, piece] of this.partial) this.sink.logicalLine(piece.text, piece.lineNumber);
    this.partial.clear();
  }

  private piece(stream: string, text: string, complete: boolean, lineNumber: number): void {
    const previous = this.partial.get(stream);
    const joined = previous ? previous.text + text : text;
    const firstLine = previous ? previous.lineNumber : lineNumber;
    if (!complete) {
      if (previous) this.sink.continuationLine(); // the earlier physical line is now part of this one
      this.partial.set(stream, {
        text: joined.length > this.maxLineLength ? joined.slice(0, this.maxLineLength) : joined,
        lineNumber: firstLine,
      });
      return;
    }
    this.partial.delete(stream);
    if (previous) this.sink.continuationLine();
    const lines = joined.split("\n");
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    for (const l of lines) this.sink.logicalLine(l.endsWith("\r") ? l.slice(0, -1) : l, firstLine);
  }
}

function unwrapJsonLog(line: string): { text: string; stream: string; docker: boolean } | null {
  if (line.length < 8 || line.charCodeAt(line.length - 1) !== 125 /* } */) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const stream = typeof record.stream === "string" ? record.stream : "";
  if (typeof record.log === "string") return { text: record.log, stream, docker: true };
  for (const key of ["msg", "message", "line", "text"]) {
    const field = record[key];
    if (typeof field === "string") return { text: field, stream, docker: false };
  }
  return null;
}
