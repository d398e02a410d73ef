import { ProfileDecodeError } from "../../errors.js";

/** Objects indexed by ID: an array while IDs are small, a Map for the rest (like pprof's postDecode). */
export class IdIndex<T extends { id: number }> {
  readonly list: T[] = [];
  /** Position in `list` by ID, for IDs below its length; -1 where no object has that ID. */
  readonly positions: Int32Array;
  private readonly sparse = new Map<number, number>();

  constructor(
    count: number,
    private readonly kind: string,
  ) {
    this.positions = new Int32Array(count + 1).fill(-1);
  }

  add(item: T): void {
    const id = item.id;
    if (id === 0) throw new ProfileDecodeError(`malformed profile: found ${this.kind} with reserved id 0`);
    if (this.positionOf(id) >= 0) {
      throw new ProfileDecodeError(`malformed profile: multiple ${this.kind}s with id ${id}`);
    }
    if (id < this.positions.length) this.positions[id] = this.list.length;
    else this.sparse.set(id, this.list.length);
    this.list.push(item);
  }

  positionOf(id: number): number {
    return id < this.positions.length ? this.positions[id]! : (this.sparse.get(id) ?? -1);
  }

  get(id: number): T | undefined {
    const position = this.positionOf(id);
    return position < 0 ? undefined : this.list[position];
  }
}
