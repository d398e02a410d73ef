/** The profile's Function, Mapping, Location and ValueType messages, decoded into model objects. */
import { ProfileDecodeError } from "../../errors.js";
import type { Line, Location, Mapping, ProfileFunction, ValueType } from "../../profile/model.js";
import { type ProtoReader, WireType } from "../protobuf-reader.js";
import { IdIndex } from "./id-index.js";
import { expectWire, type Ranges, readIndex } from "./wire-fields.js";

export function decodeValueType(
  reader: ProtoReader,
  start: number,
  end: number,
  str: (i: number) => string,
): ValueType {
  reader.pos = start;
  reader.end = end;
  let type = 0;
  let unit = 0;
  while (reader.pos < end) {
    const key = reader.tag();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1) type = readIndex(reader, wire, field, "ValueType");
    else if (field === 2) unit = readIndex(reader, wire, field, "ValueType");
    else reader.skip(wire);
  }
  return { type: str(type), unit: str(unit) };
}

export function decodeFunctions(
  reader: ProtoReader,
  ranges: Ranges,
  str: (i: number) => string,
): IdIndex<ProfileFunction> {
  const index = new IdIndex<ProfileFunction>(ranges.length / 2, "function");
  for (let r = 0; r < ranges.length; r += 2) {
    const end = ranges[r + 1]!;
    reader.pos = ranges[r]!;
    reader.end = end;
    let id = 0;
    let name = 0;
    let systemName = 0;
    let filename = 0;
    let startLine = 0;
    while (reader.pos < end) {
      const key = reader.tag();
      const field = key >>> 3;
      const wire = key & 7;
      switch (field) {
        case 1:
          expectWire(reader, wire, WireType.Varint, field, "Function");
          id = reader.uint64();
          break;
        case 2:
          name = readIndex(reader, wire, field, "Function");
          break;
        case 3:
          systemName = readIndex(reader, wire, field, "Function");
          break;
        case 4:
          filename = readIndex(reader, wire, field, "Function");
          break;
        case 5:
          startLine = readIndex(reader, wire, field, "Function");
          break;
        default:
          reader.skip(wire);
      }
    }
    index.add({ id, name: str(name), systemName: str(systemName), filename: str(filename), startLine });
  }
  return index;
}

export function decodeMappings(
  reader: ProtoReader,
  ranges: Ranges,
  str: (i: number) => string,
): IdIndex<Mapping> {
  const index = new IdIndex<Mapping>(ranges.length / 2, "mapping");
  for (let r = 0; r < ranges.length; r += 2) {
    const end = ranges[r + 1]!;
    reader.pos = ranges[r]!;
    reader.end = end;
    const mapping: Mapping = {
      id: 0,
      start: 0n,
      limit: 0n,
      offset: 0n,
      file: "",
      buildId: "",
      hasFunctions: false,
      hasFilenames: false,
      hasLineNumbers: false,
      hasInlineFrames: false,
    };
    let file = 0;
    let buildId = 0;
    while (reader.pos < end) {
      const key = reader.tag();
      const field = key >>> 3;
      const wire = key & 7;
      if (field >= 1 && field <= 10) expectWire(reader, wire, WireType.Varint, field, "Mapping");
      switch (field) {
        case 1:
          mapping.id = reader.uint64();
          break;
        case 2:
          mapping.start = reader.uint64Big();
          break;
        case 3:
          mapping.limit = reader.uint64Big();
          break;
        case 4:
          mapping.offset = reader.uint64Big();
          break;
        case 5:
          file = reader.int64();
          break;
        case 6:
          buildId = reader.int64();
          break;
        case 7:
          mapping.hasFunctions = reader.bool();
          break;
        case 8:
          mapping.hasFilenames = reader.bool();
          break;
        case 9:
          mapping.hasLineNumbers = reader.bool();
          break;
        case 10:
          mapping.hasInlineFrames = reader.bool();
          break;
        default:
          reader.skip(wire);
      }
    }
    mapping.file = str(file);
    mapping.buildId = str(buildId);
    index.add(mapping);
  }
  return index;
}

export function decodeLocations(
  reader: ProtoReader,
  ranges: Ranges,
  mappings: IdIndex<Mapping>,
  functions: IdIndex<ProfileFunction>,
): IdIndex<Location> {
  const index = new IdIndex<Location>(ranges.length / 2, "location");
  for (let r = 0; r < ranges.length; r += 2) {
    const end = ranges[r + 1]!;
    reader.pos = ranges[r]!;
    reader.end = end;
    let id = 0;
    let mappingId = 0;
    let address = 0n;
    let isFolded = false;
    let lines: Line[] | undefined;
    while (reader.pos < end) {
      const key = reader.tag();
      const field = key >>> 3;
      const wire = key & 7;
      switch (field) {
        case 1:
          expectWire(reader, wire, WireType.Varint, field, "Location");
          id = reader.uint64();
          break;
        case 2:
          expectWire(reader, wire, WireType.Varint, field, "Location");
          mappingId = reader.uint64();
          break;
        case 3:
          expectWire(reader, wire, WireType.Varint, field, "Location");
          address = reader.uint64Big();
          break;
        case 4: {
          expectWire(reader, wire, WireType.LengthDelimited, field, "Location");
          const lineEnd = reader.lengthDelimitedEnd();
          reader.end = lineEnd;
          let functionId = 0;
          let lineNumber = 0;
          let column = 0;
          while (reader.pos < lineEnd) {
            const lineKey = reader.tag();
            const lineField = lineKey >>> 3;
            const lineWire = lineKey & 7;
            if (lineField === 1) {
              expectWire(reader, lineWire, WireType.Varint, lineField, "Line");
              functionId = reader.uint64();
            } else if (lineField === 2) {
              lineNumber = readIndex(reader, lineWire, lineField, "Line");
            } else if (lineField === 3) {
              column = readIndex(reader, lineWire, lineField, "Line");
            } else {
              reader.skip(lineWire);
            }
          }
          reader.end = end;
          const fn = functionId === 0 ? undefined : functions.get(functionId);
          if (fn === undefined) {
            throw new ProfileDecodeError(
              `malformed profile: location ${id || "(id not yet read)"} has a line with ${
                functionId === 0 ? "no function" : `unknown function id ${functionId}`
              }`,
            );
          }
          const line: Line = { function: fn, line: lineNumber, column };
          if (lines === undefined) lines = [line];
          else lines.push(line);
          break;
        }
        case 5:
          expectWire(reader, wire, WireType.Varint, field, "Location");
          isFolded = reader.bool();
          break;
        default:
          reader.skip(wire);
      }
    }
    // pprof leaves a location's mapping unset when mapping_id is 0 or names no mapping.
    const mapping = mappingId === 0 ? undefined : mappings.get(mappingId);
    index.add({ id, mapping, address, lines: lines ?? [], isFolded });
  }
  return index;
}
