/**
 * Fuzzing the decoders with random bytes and damaged real profiles (bit flips, truncation, inserted
 * varints, absurd lengths, spliced chunks): each input either decodes to a profile that survives a
 * re-encode, or fails with ProfileDecodeError. Nothing else may escape, and nothing may hang.
 * Bounded by iterations and by time, so it stays fast on a loaded machine.
 */
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { ProfileDecodeError } from "../../../src/errors.js";
import { parseLegacyHeapText } from "../../../src/formats/pprof-legacy-heap-text.js";
import { decodeProfile } from "../../../src/formats/pprof-proto-decode.js";
import { encodeProfile } from "../../../src/formats/pprof-proto-encode.js";
import { parseProfileBytes } from "../../../src/formats/profile-bytes.js";
import type { Profile } from "../../../src/profile/model.js";
import { comparableFromModel } from "../../formats/support/comparable.js";
import { heapgenRuns, readGunzipped } from "../support/heapgen.js";

/** A small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const varintSamples: number[][] = [
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 11 bytes: too long
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // -1 as int64
  [0x80, 0x80, 0x80, 0x80, 0x08], // 2 GiB
  [0xff, 0xff, 0xff, 0xff, 0x0f], // 4 GiB - 1
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // 2^63
  [0x00],
  [0x7f],
];

function mutate(original: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  let bytes = Uint8Array.from(original);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    switch (pick(6)) {
      case 0: {
        // Flip a few bits.
        for (let i = 0, n = 1 + pick(8); i < n && bytes.length > 0; i++)
          bytes[pick(bytes.length)]! ^= 1 << pick(8);
        break;
      }
      case 1:
        bytes = bytes.subarray(0, pick(bytes.length + 1));
        break;
      case 2: {
        const at = pick(bytes.length + 1);
        const insert = varintSamples[pick(varintSamples.length)]!;
        const out = new Uint8Array(bytes.length + insert.length);
        out.set(bytes.subarray(0, at));
        out.set(insert, at);
        out.set(bytes.subarray(at), at + insert.length);
        bytes = out;
        break;
      }
      case 3: {
        // Overwrite with an absurd length prefix after a length-delimited key.
        const at = pick(Math.max(1, bytes.length - 6));
        bytes.set([0x12, 0x80, 0x80, 0x80, 0x80, 0x08].slice(0, bytes.length - at), at);
        break;
      }
      case 4: {
        // Splice a chunk of the profile into another place.
        const from = pick(bytes.length + 1);
        const chunk = bytes.slice(from, from + pick(64));
        const at = pick(bytes.length + 1);
        const out = new Uint8Array(bytes.length + chunk.length);
        out.set(bytes.subarray(0, at));
        out.set(chunk, at);
        out.set(bytes.subarray(at), at + chunk.length);
        bytes = out;
        break;
      }
      default: {
        // Random bytes over a range.
        const at = pick(bytes.length + 1);
        for (let i = at; i < Math.min(bytes.length, at + pick(16)); i++) bytes[i] = pick(256);
      }
    }
  }
  return bytes;
}

function expectDecodesOrRefuses(
  decode: () => Profile,
  label: string,
  exactRoundTrip = true,
): "ok" | "refused" {
  let profile: Profile;
  try {
    profile = decode();
  } catch (error) {
    if (!(error instanceof ProfileDecodeError)) {
      throw new Error(`${label}: unexpected ${String(error)}\n${(error as Error).stack ?? ""}`);
    }
    expect(error.message.length).toBeGreaterThan(0);
    return "refused";
  }
  // Whatever was accepted is a well-formed model: it re-encodes and decodes to the same thing.
  // (Legacy text keeps pprof's `bytes: 0` labels of empty records, which profile.proto cannot hold.)
  const again = decodeProfile(encodeProfile(profile));
  if (exactRoundTrip) expect(comparableFromModel(again), label).toEqual(comparableFromModel(profile));
  else expect(again.samples.length, label).toBe(profile.samples.length);
  return "ok";
}

const TIME_BUDGET_MS = 15_000;

let seeds: { name: string; bytes: Uint8Array }[];
let texts: string[];

beforeAll(async () => {
  const runs = await heapgenRuns();
  seeds = runs.flatMap((run) => [
    { name: `${run.name}/heap`, bytes: readGunzipped(run.heapProto) },
    { name: `${run.name}/diff`, bytes: readGunzipped(run.diffProto) },
  ]);
  // The larger texts (thousands of records) would leave too few iterations in the time budget.
  texts = runs
    .map((run) => new TextDecoder().decode(readGunzipped(run.heapText)))
    .filter((text) => text.length < 512 * 1024);
});

describe("decoder fuzzing", () => {
  it("random bytes: a profile or ProfileDecodeError", () => {
    const random = rng(1);
    const deadline = Date.now() + TIME_BUDGET_MS / 6;
    let iterations = 0;
    for (; iterations < 3000 && Date.now() < deadline; iterations++) {
      const length = Math.floor(random() * (random() < 0.5 ? 16 : 2048));
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
      expectDecodesOrRefuses(() => decodeProfile(bytes), `random #${iterations}`);
      expectDecodesOrRefuses(() => parseProfileBytes(bytes, "fuzz").profile, `random bytes #${iterations}`);
    }
    expect(iterations).toBeGreaterThan(100);
  });

  it("mutated real profiles: a profile or ProfileDecodeError, also through gzip", () => {
    const random = rng(2);
    const deadline = Date.now() + TIME_BUDGET_MS / 2;
    const outcomes = { ok: 0, refused: 0 };
    let iterations = 0;
    for (; iterations < 3000 && Date.now() < deadline; iterations++) {
      const seed = seeds[iterations % seeds.length]!;
      const bytes = mutate(seed.bytes, random);
      const label = `${seed.name} mutation #${iterations}`;
      outcomes[expectDecodesOrRefuses(() => decodeProfile(bytes), label)]++;
      if (iterations % 10 === 0) {
        const gzipped = new Uint8Array(gzipSync(bytes));
        expectDecodesOrRefuses(() => parseProfileBytes(gzipped, "fuzz.pb.gz").profile, `${label} (gzip)`);
        // Damaged gzip framing too.
        const damaged = mutate(gzipped, random);
        expectDecodesOrRefuses(() => parseProfileBytes(damaged, "fuzz.pb.gz").profile, `${label} (bad gzip)`);
      }
    }
    expect(iterations).toBeGreaterThan(100);
    // Both outcomes happen: the mutations are neither all fatal nor all harmless.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it("mutated debug=1 heap text: a profile or ProfileDecodeError", () => {
    const random = rng(3);
    const deadline = Date.now() + TIME_BUDGET_MS / 3;
    let iterations = 0;
    for (; iterations < 1500 && Date.now() < deadline; iterations++) {
      const text = texts[iterations % texts.length]!;
      const bytes = mutate(new TextEncoder().encode(text), random);
      const damaged = new TextDecoder().decode(bytes);
      expectDecodesOrRefuses(
        () => parseLegacyHeapText(damaged).profile,
        `text mutation #${iterations}`,
        false,
      );
      // Line-level damage: drop or duplicate a line.
      const lines = text.split("\n");
      const at = 1 + Math.floor(random() * (lines.length - 1));
      if (random() < 0.5) lines.splice(at, 1);
      else lines.splice(at, 0, lines[Math.floor(random() * lines.length)]!);
      expectDecodesOrRefuses(
        () => parseLegacyHeapText(lines.join("\n")).profile,
        `line mutation #${iterations}`,
        false,
      );
    }
    expect(iterations).toBeGreaterThan(20);
  });
});
