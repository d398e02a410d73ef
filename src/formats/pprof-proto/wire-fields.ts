/** Reading profile.proto fields with pprof's checks, and errors that name the message and field. */
import { ProfileDecodeError } from "../../errors.js";
import { type ProtoReader, WireType } from "../protobuf-reader.js";

/** Byte ranges of repeated sub-messages, as [start0, end0, start1, end1, ...]. */
export type Ranges = number[];

function wireName(wire: number): string {
  return ["varint", "fixed64", "length-delimited", "start-group", "end-group", "fixed32"][wire] ?? `#${wire}`;
}

export function expectWire(
  reader: ProtoReader,
  wire: number,
  expected: number,
  field: number,
  message: string,
): void {
  if (wire !== expected) {
    throw new ProfileDecodeError(
      `corrupt protobuf at byte ${reader.pos}: ${message} field ${field} is ${wireName(wire)}, expected ${wireName(expected)}`,
    );
  }
}

/** Notes where a length-delimited field lies in `ranges` and skips it. */
export function pushRange(
  reader: ProtoReader,
  wire: number,
  field: number,
  message: string,
  ranges: Ranges,
): void {
  expectWire(reader, wire, WireType.LengthDelimited, field, message);
  const end = reader.lengthDelimitedEnd();
  ranges.push(reader.pos, end);
  reader.pos = end;
}

/** A string-table index (an int64 field). */
export function readIndex(reader: ProtoReader, wire: number, field: number, message: string): number {
  expectWire(reader, wire, WireType.Varint, field, message);
  return reader.int64();
}

/** A repeated int64 field, packed or not, appended to `out` as numbers. */
export function readRepeatedInt64(
  reader: ProtoReader,
  wire: number,
  field: number,
  message: string,
  out: number[],
): void {
  if (wire === WireType.LengthDelimited) {
    const end = reader.lengthDelimitedEnd();
    const outer = reader.end;
    reader.end = end;
    while (reader.pos < end) out.push(reader.int64());
    reader.end = outer;
    return;
  }
  expectWire(reader, wire, WireType.Varint, field, message);
  out.push(reader.int64());
}
