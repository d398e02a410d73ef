/**
 * Typed-array columns that grow by doubling while a dump is read, and shrink to their length at
 * the end. `length` can be set back to undo a record that turned out to be incomplete.
 */

export class GrowableFloat64 {
  data: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length)
      this.data = grown(this.data, new Float64Array(this.data.length * 2));
    this.data[this.length++] = value;
  }

  finish(): Float64Array {
    return fitted(this.data, this.length, (n) => new Float64Array(n));
  }
}

export class GrowableUint32 {
  data: Uint32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Uint32Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.data = grown(this.data, new Uint32Array(this.data.length * 2));
    this.data[this.length++] = value;
  }

  finish(): Uint32Array {
    return fitted(this.data, this.length, (n) => new Uint32Array(n));
  }
}

function grown<T extends Float64Array | Uint32Array>(old: T, bigger: T): T {
  bigger.set(old);
  return bigger;
}

/** A view when little would be wasted, else a copy of exactly `length` elements. */
function fitted<T extends Float64Array | Uint32Array>(data: T, length: number, make: (n: number) => T): T {
  if (length >= data.length * 0.75) return data.subarray(0, length) as T;
  const copy = make(length);
  copy.set(data.subarray(0, length));
  return copy;
}
