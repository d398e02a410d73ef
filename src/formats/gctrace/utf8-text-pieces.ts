/** Text is encoded this many UTF-16 code units at a time. */
const TEXT_PIECE_UNITS = 1 << 20;

const utf8Encoder = new TextEncoder();

/**
 * Encodes pushed text to UTF-8 for a byte parser, a piece at a time through one reused buffer (a
 * whole copy of a large text would double its memory). A surrogate pair split between two pushes
 * is kept whole.
 */
export class Utf8TextPieces {
  /** Grows to 3 bytes per unit of a TEXT_PIECE_UNITS piece. */
  private bytes = new Uint8Array(0);
  /** A high surrogate ending the last text pushed: its pair may start the next text. */
  private heldSurrogate = "";

  /** `onBytes` gets each piece's bytes in the reused buffer: it must copy what it keeps. */
  constructor(private readonly onBytes: (bytes: Uint8Array) => void) {}

  push(input: string): void {
    let text = input;
    if (this.heldSurrogate !== "") {
      text = this.heldSurrogate + text;
      this.heldSurrogate = "";
    }
    if (text.length > 0 && (text.charCodeAt(text.length - 1) & 0xfc00) === 0xd800) {
      this.heldSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    for (let from = 0; from < text.length; ) {
      let to = Math.min(text.length, from + TEXT_PIECE_UNITS);
      // Keep a surrogate pair in one piece (each half alone would encode as U+FFFD).
      if (to < text.length && (text.charCodeAt(to - 1) & 0xfc00) === 0xd800) to--;
      const piece = from === 0 && to === text.length ? text : text.slice(from, to);
      const need = piece.length * 3;
      if (this.bytes.length < need) this.bytes = new Uint8Array(need);
      const { written } = utf8Encoder.encodeInto(piece, this.bytes);
      this.onBytes(this.bytes.subarray(0, written));
      from = to;
    }
  }

  /** A high surrogate whose pair never came is encoded on its own (as U+FFFD). */
  flushHeldSurrogate(): void {
    if (this.heldSurrogate === "") return;
    const held = this.heldSurrogate;
    this.heldSurrogate = "";
    this.onBytes(utf8Encoder.encode(held));
  }
}
