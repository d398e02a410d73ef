/**
 * A deliberately different profile.proto writer for tests: repeated scalars packed or not at choice,
 * top-level fields in a shuffled order (string table first or last), unknown fields of every wire type
 * sprinkled in, and its own string table order. Written independently of src/formats, so a decoder
 * bug is not mirrored by an encoder bug.
 */
import type { Profile } from "../../../src/profile/model.js";

export interface LooseOptions {
  /** "mixed" splits each repeated field in two: unpacked values, then a packed chunk. */
  packed: boolean | "mixed";
  /** Deterministic shuffle seed for the order of top-level fields (0 keeps protobuf order). */
  seed: number;
  unknownFields: boolean;
}

class Bytes {
  readonly out: number[] = [];

  varint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.out.push(Number(v));
  }

  key(field: number, wire: number): void {
    this.varint(BigInt(field * 8 + wire));
  }

  int(field: number, value: bigint | number): void {
    this.key(field, 0);
    this.varint(BigInt(value));
  }

  bytes(field: number, data: number[] | Uint8Array): void {
    this.key(field, 2);
    this.varint(BigInt(data.length));
    for (const byte of data) this.out.push(byte);
  }

  message(field: number, build: (b: Bytes) => void): void {
    const inner = new Bytes();
    build(inner);
    this.bytes(field, inner.out);
  }

  repeated(field: number, values: (bigint | number)[], packed: boolean | "mixed"): void {
    if (packed === "mixed" && values.length > 1) {
      const half = values.length >> 1;
      this.repeated(field, values.slice(0, half), false);
      this.repeated(field, values.slice(half), true);
      return;
    }
    if (packed && values.length > 0) {
      const inner = new Bytes();
      for (const value of values) inner.varint(BigInt(value));
      this.bytes(field, inner.out);
    } else {
      for (const value of values) this.int(field, value);
    }
  }

  unknown(seed: number): void {
    // Field numbers 100+ are unknown to profile.proto; one of each wire type.
    switch (seed % 4) {
      case 0:
        this.int(100 + (seed % 7), BigInt(seed) * 1234567n);
        break;
      case 1:
        this.key(101, 1);
        for (let i = 0; i < 8; i++) this.out.push((seed + i) & 0xff);
        break;
      case 2:
        this.bytes(102, [1, 2, 3, seed & 0xff]);
        break;
      default:
        this.key(103, 5);
        for (let i = 0; i < 4; i++) this.out.push((seed * 3 + i) & 0xff);
    }
  }
}

function shuffled<T>(items: T[], seed: number): T[] {
  if (seed === 0) return items;
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function encodeLoose(p: Profile, options: LooseOptions): Uint8Array {
  // Strings in reverse first-use order after "", to differ from the real encoder's table.
  const collected: string[] = [];
  const note = (s: string) => collected.push(s);
  p.sampleTypes.forEach((t) => {
    note(t.type);
    note(t.unit);
  });
  for (const s of p.samples) {
    for (const [k, vs] of s.labels) {
      note(k);
      vs.forEach(note);
    }
    for (const [k, us] of s.numUnits) {
      note(k);
      us.forEach(note);
    }
    for (const k of s.numLabels.keys()) note(k);
  }
  for (const m of p.mappings) {
    note(m.file);
    note(m.buildId);
  }
  for (const f of p.functions) {
    note(f.name);
    note(f.systemName);
    note(f.filename);
  }
  [p.dropFrames, p.keepFrames, p.defaultSampleType, p.docUrl, ...p.comments].forEach(note);
  if (p.periodType) {
    note(p.periodType.type);
    note(p.periodType.unit);
  }
  const table = ["", ...[...new Set(collected.filter((s) => s !== ""))].reverse()];
  const index = new Map(table.map((s, i) => [s, i]));
  const str = (s: string) => index.get(s)!;
  const encoder = new TextEncoder();
  const { packed, unknownFields } = options;
  let unknownSeed = 1;
  const maybeUnknown = (b: Bytes) => {
    if (unknownFields) b.unknown(unknownSeed++);
  };

  const parts: { kind: number; write: (b: Bytes) => void }[] = [];
  const add = (kind: number, write: (b: Bytes) => void) => parts.push({ kind, write });
  for (const t of p.sampleTypes) {
    add(1, (b) =>
      b.message(1, (m) => {
        maybeUnknown(m);
        m.int(1, str(t.type));
        m.int(2, str(t.unit));
      }),
    );
  }
  for (const s of p.samples) {
    add(2, (b) =>
      b.message(2, (m) => {
        const values = s.exactValues ?? s.values.map((v) => BigInt(v));
        // Labels before locations and values: field order inside a message is free.
        for (const [k, vs] of s.labels) {
          for (const v of vs) {
            m.message(3, (l) => {
              l.int(1, str(k));
              l.int(2, str(v));
            });
          }
        }
        for (const [k, nums] of s.numLabels) {
          const units = s.numUnits.get(k);
          nums.forEach((num, i) => {
            m.message(3, (l) => {
              maybeUnknown(l);
              l.int(3, num);
              l.int(1, str(k));
              if (units) l.int(4, str(units[i] ?? ""));
            });
          });
        }
        maybeUnknown(m);
        m.repeated(
          1,
          s.locations.map((l) => l.id),
          packed,
        );
        m.repeated(2, values, packed);
      }),
    );
  }
  for (const mapping of p.mappings) {
    add(3, (b) =>
      b.message(3, (m) => {
        m.int(10, mapping.hasInlineFrames ? 1 : 0);
        m.int(9, mapping.hasLineNumbers ? 1 : 0);
        m.int(8, mapping.hasFilenames ? 1 : 0);
        m.int(7, mapping.hasFunctions ? 1 : 0);
        m.int(6, str(mapping.buildId));
        m.int(5, str(mapping.file));
        m.int(4, mapping.offset);
        m.int(3, mapping.limit);
        m.int(2, mapping.start);
        maybeUnknown(m);
        m.int(1, mapping.id);
      }),
    );
  }
  for (const location of p.locations) {
    add(4, (b) =>
      b.message(4, (m) => {
        m.int(5, location.isFolded ? 1 : 0);
        for (const line of location.lines) {
          m.message(4, (l) => {
            l.int(3, line.column);
            l.int(2, line.line);
            maybeUnknown(l);
            l.int(1, line.function?.id ?? 0);
          });
        }
        m.int(3, location.address);
        m.int(2, location.mapping?.id ?? 0);
        m.int(1, location.id);
      }),
    );
  }
  for (const fn of p.functions) {
    add(5, (b) =>
      b.message(5, (m) => {
        m.int(5, fn.startLine);
        m.int(4, str(fn.filename));
        m.int(3, str(fn.systemName));
        m.int(2, str(fn.name));
        m.int(1, fn.id);
      }),
    );
  }
  // The string table stays one block, in order; where the block goes is shuffled.
  add(6, (b) => {
    for (const s of table) b.bytes(6, encoder.encode(s));
  });
  add(7, (b) => b.int(7, str(p.dropFrames)));
  add(8, (b) => b.int(8, str(p.keepFrames)));
  if (p.timeNanos !== 0n) add(9, (b) => b.int(9, p.timeNanos));
  add(10, (b) => b.int(10, p.durationNanos));
  if (p.periodType) {
    const periodType = p.periodType;
    add(11, (b) =>
      b.message(11, (m) => {
        m.int(2, str(periodType.unit));
        m.int(1, str(periodType.type));
      }),
    );
  }
  add(12, (b) => b.int(12, p.period));
  add(13, (b) =>
    b.repeated(
      13,
      p.comments.map((c) => str(c)),
      packed,
    ),
  );
  add(14, (b) => b.int(14, str(p.defaultSampleType)));
  add(15, (b) => b.int(15, str(p.docUrl)));
  if (unknownFields) add(99, (b) => b.unknown(unknownSeed++));

  const out = new Bytes();
  for (const part of interleave(parts, options.seed)) part.write(out);
  return new Uint8Array(out.out);
}

/**
 * A random merge of the parts' kinds: each kind keeps its internal order (the model's lists are
 * ordered), but kinds interleave, so the string table can come first, last or between samples.
 */
function interleave<T extends { kind: number }>(parts: T[], seed: number): T[] {
  if (seed === 0) return parts;
  const queues = new Map<number, T[]>();
  for (const part of parts) {
    const queue = queues.get(part.kind) ?? [];
    queue.push(part);
    queues.set(part.kind, queue);
  }
  const kinds = shuffled([...queues.keys()], seed);
  const out: T[] = [];
  let state = seed >>> 0 || 1;
  while (kinds.length > 0) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const at = state % kinds.length;
    const queue = queues.get(kinds[at]!)!;
    out.push(queue.shift()!);
    if (queue.length === 0) kinds.splice(at, 1);
  }
  return out;
}
