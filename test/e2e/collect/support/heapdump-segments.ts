/**
 * A test-only walk over a Go heap dump (format: /work/shared/notes/go-heapdump.md, runtime/heapdump.go)
 * that keeps just what the hook and ELF tests check against: the params record and the data/BSS
 * segments with their pointer offsets. Every other record is skipped field by field, so reaching the
 * EOF record also shows the hook wrote a complete dump. Not heapscope's heap-dump reader.
 */

export interface DumpSegment {
  start: number;
  size: number;
  /** Offsets of pointer words inside the segment. */
  pointerOffsets: number[];
}

export interface DumpSummary {
  goVersion: string;
  pointerSize: number;
  objects: number;
  data?: DumpSegment;
  bss?: DumpSegment;
  reachedEof: boolean;
}

const HEADER = "go1.7 heap dump\n";

export function summarizeHeapDump(bytes: Uint8Array): DumpSummary {
  if (Buffer.from(bytes.subarray(0, 16)).toString("latin1") !== HEADER) throw new Error("not a heap dump");
  let pos = 16;
  const uvarint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= bytes.length) throw new Error("truncated dump");
      const byte = bytes[pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  const skip = (n: number) => {
    for (let i = 0; i < n; i++) uvarint();
  };
  const byteRange = (): Uint8Array => {
    const length = uvarint();
    pos += length;
    if (pos > bytes.length) throw new Error("truncated dump");
    return bytes.subarray(pos - length, pos);
  };
  const text = () => Buffer.from(byteRange()).toString("utf8");
  const fields = (): number[] => {
    const offsets: number[] = [];
    while (uvarint() !== 0) offsets.push(uvarint());
    return offsets;
  };
  const summary: DumpSummary = { goVersion: "", pointerSize: 0, objects: 0, reachedEof: false };
  for (;;) {
    const tag = uvarint();
    switch (tag) {
      case 0:
        summary.reachedEof = true;
        return summary;
      case 1:
        summary.objects++;
        skip(1);
        byteRange();
        fields();
        break;
      case 2:
        text();
        skip(1);
        break;
      case 3:
        skip(2);
        text();
        skip(1);
        break;
      case 4:
        skip(8);
        text();
        skip(4);
        break;
      case 5:
        skip(3);
        byteRange();
        skip(3);
        text();
        fields();
        break;
      case 6:
        skip(1);
        summary.pointerSize = uvarint();
        skip(2);
        text();
        summary.goVersion = text();
        skip(1);
        break;
      case 7:
      case 11:
        skip(5);
        break;
      case 8:
        skip(2);
        break;
      case 9:
        skip(3);
        break;
      case 10:
        skip(24 + 256 + 1);
        break;
      case 12:
      case 13: {
        const start = uvarint();
        const size = byteRange().length;
        const segment = { start, size, pointerOffsets: fields() };
        if (tag === 12) summary.data = segment;
        else summary.bss = segment;
        break;
      }
      case 14:
        skip(7);
        break;
      case 15:
        skip(6);
        break;
      case 16: {
        skip(2);
        const frames = uvarint();
        for (let i = 0; i < frames; i++) {
          text();
          text();
          skip(1);
        }
        skip(2);
        break;
      }
      case 17:
        skip(2);
        break;
      default:
        throw new Error(`unknown record tag ${tag} at offset ${pos}`);
    }
  }
}
