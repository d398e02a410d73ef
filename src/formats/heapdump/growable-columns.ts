/**
 * Typed-array columns that grow while a dump is read, stored as fixed-size chunks (no copying as
 * they grow, no spare capacity left behind) and joined into one exact array at the end.
 * `truncate` undoes the values of a record that turned out to be incomplete.
 */

const CHUNK_SHIFT = 16;
const CHUNK = 1 << CHUNK_SHIFT;

type Column = Float64Array | Uint32Array;

class ChunkedColumn<T extends Column> {
  private readonly full: T[] = [];
  private current: T;
  private fill = 0;

  constructor(private readonly make: (length: number) => T) {
    this.current = make(CHUNK);
  }

  get length(): number {
    return this.full.length * CHUNK + this.fill;
  }

  push(value: number): void {
    if (this.fill === CHUNK) {
      this.full.push(this.current);
      this.current = this.make(CHUNK);
      this.fill = 0;
    }
    this.current[this.fill++] = value;
  }

  get(index: number): number {
    const chunk = index >>> CHUNK_SHIFT;
    return (chunk < this.full.length ? this.full[chunk]! : this.current)[index & (CHUNK - 1)]!;
  }

  set(index: number, value: number): void {
    const chunk = index >>> CHUNK_SHIFT;
    (chunk < this.full.length ? this.full[chunk]! : this.current)[index & (CHUNK - 1)] = value;
  }

  /** Drops the values from `length` on. */
  truncate(length: number): void {
    if (length >= this.length) return;
    const keepChunks = length >>> CHUNK_SHIFT;
    if (keepChunks < this.full.length) {
      this.current = this.full[keepChunks]!;
      this.full.length = keepChunks;
    }
    this.fill = length & (CHUNK - 1);
  }

  /** A copy of the values from..to. */
  slice(from: number, to: number): T {
    const out = this.make(Math.max(0, to - from));
    for (let i = from; i < to; i++) out[i - from] = this.get(i);
    return out;
  }

  /** All values as one array; the column is empty afterwards. */
  finish(): T {
    const out = this.make(this.length);
    this.full.forEach((chunk, i) => {
      out.set(chunk, i * CHUNK);
    });
    out.set(this.current.subarray(0, this.fill), this.full.length * CHUNK);
    this.full.length = 0;
    this.current = this.make(0);
    this.fill = 0;
    return out;
  }
}

export class GrowableFloat64 extends ChunkedColumn<Float64Array> {
  constructor() {
    super((n) => new Float64Array(n));
  }
}

export class GrowableUint32 extends ChunkedColumn<Uint32Array> {
  constructor() {
    super((n) => new Uint32Array(n));
  }
}
