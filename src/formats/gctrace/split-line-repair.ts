import type { GcLineScanner } from "./gc-line-scanner.js";
import { Utf8Scratch } from "./utf8-scratch.js";

/** Where a gc line may start. */
const GC_LINE_START = /gc #?\d+ @\d/;
const MINIMAL_HEAD = /^gc #?\d+ @/;
/** How many following lines may separate the two halves of a split gc line. */
const REPAIR_WINDOW_LINES = 3;

/**
 * Rebuilds gc lines split in two: by a newline (a logger wrapping, a write boundary) or by another
 * writer's output landing inside the line (the runtime prints a gc line in many write(2) calls).
 * The head of a gc line that did not parse waits for up to REPAIR_WINDOW_LINES following lines.
 */
export class SplitGcLineRepair {
  private pending: { text: string; lineNumber: number; age: number } | null = null;
  /** gc lines rebuilt. */
  repairedLines = 0;
  /** Heads given up on: malformed gc lines. */
  droppedHeads = 0;
  private readonly head = new Utf8Scratch();
  private readonly tail = new Utf8Scratch();

  constructor(private readonly scanner: GcLineScanner) {}

  get waiting(): boolean {
    return this.pending !== null;
  }

  /**
   * When `text` (which did not parse as a gc line) holds the start of one, keeps it from there to
   * wait for the rest, dropping an earlier head; false when there is no start.
   */
  holdHead(text: string, lineNumber: number): boolean {
    const start = GC_LINE_START.exec(text);
    if (!start) return false;
    this.dropHead();
    this.pending = { text: text.slice(start.index), lineNumber, age: 0 };
    return true;
  }

  /**
   * Joins the waiting head with `text`, dropping junk written into the end of the head. Returns the
   * head's line number when the joined line scanned (its figures are then in the scanner), else -1.
   */
  complete(text: string): number {
    const pending = this.pending!;
    const tailLength = this.tail.encode(text);
    const headLength = this.head.encode(pending.text);
    this.head.reserve(headLength + tailLength, headLength);
    let repaired = this.scanJoined(headLength, tailLength);
    // Junk appended to the head: try shorter heads, cut between characters (not inside one), the
    // longest first. Only while `text` does not hold a full line.
    if (!repaired && !GC_LINE_START.test(text)) {
      // The minimal head is ASCII, so its length in characters is its length in bytes.
      const minimum = MINIMAL_HEAD.exec(pending.text)?.[0].length ?? pending.text.length;
      const head = this.head.bytes;
      for (let k = headLength - 1; k >= minimum && !repaired; k--) {
        if ((head[k] & 0xc0) === 0x80) continue; // a UTF-8 continuation byte
        repaired = this.scanJoined(k, tailLength);
      }
    }
    if (repaired) {
      this.pending = null;
      this.repairedLines++;
      return pending.lineNumber;
    }
    pending.age++;
    if (pending.age >= REPAIR_WINDOW_LINES || GC_LINE_START.test(text)) this.dropHead();
    return -1;
  }

  /** Gives up on the waiting head, if any. */
  dropHead(): void {
    if (!this.pending) return;
    this.pending = null;
    this.droppedHeads++;
  }

  /** Scans the first `headLength` bytes of the head followed by the tail. */
  private scanJoined(headLength: number, tailLength: number): boolean {
    const joined = this.head.bytes;
    joined.set(this.tail.bytes.subarray(0, tailLength), headLength);
    return this.scanner.scanAt(joined, 0, headLength + tailLength) >= 0;
  }
}
