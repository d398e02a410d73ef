const utf8Encoder = new TextEncoder();

/** A reusable buffer for one text's UTF-8 at a time; it grows to fit and is never shrunk. */
export class Utf8Scratch {
  bytes = new Uint8Array(1024);

  /** Writes `text` as UTF-8 into `bytes` (grown to fit) and returns its length in bytes. */
  encode(text: string): number {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4 bytes).
    if (this.bytes.length < text.length * 3) this.bytes = new Uint8Array(text.length * 3);
    return utf8Encoder.encodeInto(text, this.bytes).written;
  }

  /** Makes room for `length` bytes, keeping the first `keep`. */
  reserve(length: number, keep: number): void {
    if (this.bytes.length >= length) return;
    const grown = new Uint8Array(length * 2);
    grown.set(this.bytes.subarray(0, keep), 0);
    this.bytes = grown;
  }
}
