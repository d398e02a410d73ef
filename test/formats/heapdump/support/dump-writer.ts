/**
 * Writes heap dumps byte by byte, as runtime/heapdump.go lays them out, for tests that need dumps of
 * an exact shape (every record kind, other pointer sizes and byte orders, damaged fields). Real dumps
 * come from real Go programs (test/e2e/support/heap-dumps.ts); this writer is for what they cannot show.
 */
export const HEADER = "go1.7 heap dump\n";

export interface ParamsRecord {
  bigEndian?: boolean;
  pointerSize?: number;
  arenaStart?: number;
  arenaEnd?: number;
  goarch?: string;
  goVersion?: string;
  ncpu?: number;
}

export class DumpWriter {
  private readonly out: number[] = [];
  pointerSize = 8;
  bigEndian = false;

  header(text = HEADER): this {
    for (const c of new TextEncoder().encode(text)) this.out.push(c);
    return this;
  }

  uvarint(value: number | bigint): this {
    let v = BigInt(value);
    while (v >= 0x80n) {
      this.out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.out.push(Number(v));
    return this;
  }

  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.out.push(bytes[i]!);
    return this;
  }

  bytes(bytes: Uint8Array): this {
    return this.uvarint(bytes.length).raw(bytes);
  }

  string(text: string): this {
    return this.bytes(new TextEncoder().encode(text));
  }

  /** `size` bytes of contents with pointer words written at the given offsets. */
  contents(size: number, pointers: [offset: number, value: number][]): Uint8Array {
    const bytes = new Uint8Array(size);
    for (const [offset, value] of pointers) {
      for (let i = 0; i < this.pointerSize; i++) {
        const byte = Number((BigInt(value) >> BigInt(8 * i)) & 0xffn);
        bytes[this.bigEndian ? offset + this.pointerSize - 1 - i : offset + i] = byte;
      }
    }
    return bytes;
  }

  fields(offsets: number[], kind = 1): this {
    for (const offset of offsets) this.uvarint(kind).uvarint(offset);
    return this.uvarint(0);
  }

  params(p: ParamsRecord = {}): this {
    this.pointerSize = p.pointerSize ?? 8;
    this.bigEndian = p.bigEndian ?? false;
    this.uvarint(6)
      .uvarint(this.bigEndian ? 1 : 0)
      .uvarint(this.pointerSize);
    this.uvarint(p.arenaStart ?? 0xc000000000).uvarint(p.arenaEnd ?? 0xc004000000);
    return this.string(p.goarch ?? "amd64")
      .string(p.goVersion ?? "go1.26.8")
      .uvarint(p.ncpu ?? 2);
  }

  /**
   * An object record; `pointers` are [offset, value] pairs written into its contents and listed in its
   * field list, `words` are written into its contents only (scalars, code pointers).
   */
  object(
    address: number,
    size: number,
    pointers: [number, number][] = [],
    words: [number, number][] = [],
  ): this {
    this.uvarint(1)
      .uvarint(address)
      .bytes(this.contents(size, [...words, ...pointers]));
    return this.fields(pointers.map(([offset]) => offset));
  }

  goroutine(g: {
    address: number;
    goid: number;
    creatorPc?: number;
    system?: boolean;
    waitReason?: string;
    context?: number;
    deferAddress?: number;
    panicAddress?: number;
  }): this {
    this.uvarint(4)
      .uvarint(g.address)
      .uvarint(0x7f0000)
      .uvarint(g.goid)
      .uvarint(g.creatorPc ?? 0);
    this.uvarint(4)
      .uvarint(g.system ? 1 : 0)
      .uvarint(0)
      .uvarint(0)
      .string(g.waitReason ?? "chan receive");
    return this.uvarint(g.context ?? 0)
      .uvarint(0)
      .uvarint(g.deferAddress ?? 0)
      .uvarint(g.panicAddress ?? 0);
  }

  frame(f: {
    sp: number;
    depth: number;
    functionName: string;
    size: number;
    pointers?: [number, number][];
    pc?: number;
  }): this {
    const pointers = f.pointers ?? [];
    this.uvarint(5).uvarint(f.sp).uvarint(f.depth).uvarint(0).bytes(this.contents(f.size, pointers));
    this.uvarint(0x401000)
      .uvarint(f.pc ?? 0x401010)
      .uvarint(0x401010)
      .string(f.functionName);
    return this.fields(pointers.map(([offset]) => offset));
  }

  segment(tag: 12 | 13, start: number, size: number, pointers: [number, number][]): this {
    this.uvarint(tag).uvarint(start).bytes(this.contents(size, pointers));
    return this.fields(pointers.map(([offset]) => offset));
  }

  finalizer(tag: 7 | 11, object: number, funcval: number, functionPc = 0x402000): this {
    return this.uvarint(tag)
      .uvarint(object)
      .uvarint(funcval)
      .uvarint(functionPc)
      .uvarint(0x500000)
      .uvarint(0x500100);
  }

  memStats(heapAlloc: number, numGc = 3): this {
    this.uvarint(10);
    for (let i = 0; i < 24; i++) this.uvarint(i === 6 ? heapAlloc : i + 1);
    for (let i = 0; i < 256; i++) this.uvarint(i);
    return this.uvarint(numGc);
  }

  bucket(
    id: number,
    size: number,
    frames: [fn: string, file: string, line: number][],
    allocs: number,
    frees: number,
  ): this {
    this.uvarint(16).uvarint(id).uvarint(size).uvarint(frames.length);
    for (const [fn, file, line] of frames) this.string(fn).string(file).uvarint(line);
    return this.uvarint(allocs).uvarint(frees);
  }

  allocSample(address: number, bucket: number): this {
    return this.uvarint(17).uvarint(address).uvarint(bucket);
  }

  end(): this {
    return this.uvarint(0);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}
