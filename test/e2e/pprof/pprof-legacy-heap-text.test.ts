/**
 * `?debug=1` heap text: values, locations and labels exactly as `go tool pprof` reads the same text,
 * plus what pprof cannot do: the frames named from the `#` lines, matching the proto heap profile the
 * program wrote at the same moment, and the runtime.MemStats block as numbers.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ProfileDecodeError } from "../../../src/errors.js";
import { parseLegacyHeapText, scaleHeapSample } from "../../../src/formats/pprof-legacy-heap-text.js";
import { decodeProfile } from "../../../src/formats/pprof-proto-decode.js";
import { parseProfileBytes } from "../../../src/formats/profile-bytes.js";
import { applyDropFrames } from "../../../src/profile/drop-frames.js";
import type { Profile } from "../../../src/profile/model.js";
import { type HeapgenRun, heapgenRuns, pprof, readGunzipped } from "../support/heapgen.js";

let runs: HeapgenRun[];

beforeAll(async () => {
  runs = await heapgenRuns();
});

interface RawSample {
  values: bigint[];
  locationIds: number[];
  bytes: bigint | undefined;
}

/** The samples and location addresses of `go tool pprof -raw` output. */
function parseRaw(raw: string): {
  samples: RawSample[];
  addresses: Map<number, bigint>;
  sampleTypes: string;
} {
  const samples: RawSample[] = [];
  const addresses = new Map<number, bigint>();
  let section = "";
  let sampleTypes = "";
  for (const line of raw.split("\n")) {
    if (line.startsWith("Samples:")) section = "samples";
    else if (line.startsWith("Locations")) section = "locations";
    else if (line.startsWith("Mappings")) section = "mappings";
    else if (section === "samples" && /^[a-z_]+\/[a-z]+/.test(line)) sampleTypes = line.trim();
    else if (section === "samples" && /^\s*-?\d+(\s+-?\d+)*:/.test(line)) {
      const [values, ids] = line.split(":");
      samples.push({
        values: values!.trim().split(/\s+/).map(BigInt),
        locationIds: ids!.trim() === "" ? [] : ids!.trim().split(/\s+/).map(Number),
        bytes: undefined,
      });
    } else if (section === "samples" && /^\s+bytes:\[(-?\d+)\]/.test(line)) {
      samples[samples.length - 1]!.bytes = BigInt(/bytes:\[(-?\d+)\]/.exec(line)![1]!);
    } else if (section === "locations") {
      const match = /^\s*(\d+): (0x[0-9a-f]+)/.exec(line);
      if (match) addresses.set(Number(match[1]), BigInt(match[2]!));
    }
  }
  return { samples, addresses, sampleTypes };
}

/**
 * Sums sample values by the leaf-first sequence of function names, without leading runtime frames:
 * the runtime hides those in the text's `#` lines and (almost always) in the proto too, but not
 * always alike, and the text cannot name what it hid. All-zero samples are left out: the text,
 * written after the proto, also lists (with zeros) the allocations made writing the proto.
 */
function valuesByStack(profile: Profile): Map<string, bigint[]> {
  const out = new Map<string, bigint[]>();
  for (const sample of profile.samples) {
    if (sample.values.every((v) => v === 0)) continue;
    const names = sample.locations.flatMap((l) => l.lines.map((line) => line.function?.name ?? "?"));
    const firstShown = names.findIndex((name) => !name.startsWith("runtime."));
    const key = names.slice(firstShown === -1 ? 0 : firstShown).join(" < ");
    const sums = out.get(key) ?? sample.values.map(() => 0n);
    sample.values.forEach((v, i) => {
      sums[i]! += BigInt(v);
    });
    out.set(key, sums);
  }
  return out;
}

describe("parseLegacyHeapText", () => {
  it("builds exactly the samples, values, labels and locations `go tool pprof` reads from the text", async () => {
    for (const run of runs) {
      const text = readFileSync(run.heapText, "utf8");
      const { profile } = parseLegacyHeapText(text);
      const raw = parseRaw(await pprof(["-raw", run.heapText]));
      expect(raw.samples.length, run.name).toBeGreaterThan(2);
      expect(profile.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(" ")).toBe(raw.sampleTypes);
      expect(profile.samples.length).toBe(raw.samples.length);
      profile.samples.forEach((sample, i) => {
        const expected = raw.samples[i]!;
        expect(sample.values.map(BigInt), `${run.name} sample ${i}`).toEqual(expected.values);
        expect(sample.numLabels.get("bytes")?.[0]).toBe(expected.bytes);
        // Same location IDs, except the runtime.goexit root the proto profile leaves out too.
        const ours = sample.locations.map((l) => l.id);
        expect(expected.locationIds.slice(0, ours.length)).toEqual(ours);
        for (const id of expected.locationIds.slice(ours.length)) {
          const location = profile.locations.find((l) => l.id === id)!;
          expect(location.lines.map((l) => l.function?.name)).toEqual(["runtime.goexit"]);
        }
      });
      expect(profile.locations.length).toBe(raw.addresses.size);
      for (const location of profile.locations) expect(location.address).toBe(raw.addresses.get(location.id));
      expect(profile.period).toBe(run.period);
    }
  });

  it("names the frames: after drop_frames its stacks and values equal the proto heap profile's", () => {
    for (const run of runs) {
      const legacy = applyDropFrames(parseLegacyHeapText(readFileSync(run.heapText, "utf8")).profile);
      const proto = applyDropFrames(decodeProfile(readGunzipped(run.heapProto)));
      // The text has alloc columns only when they differ from inuse; heapgen's always do.
      expect(legacy.sampleTypes.map((t) => t.type)).toEqual(proto.sampleTypes.map((t) => t.type));
      const ours = valuesByStack(legacy);
      const theirs = valuesByStack(proto);
      expect([...ours.keys()].some((k) => k.includes("main.makeBuffer < main.deep < main.deep"))).toBe(true);
      expect(new Map([...ours].sort()), run.name).toEqual(new Map([...theirs].sort()));
      for (const location of legacy.locations) {
        for (const line of location.lines) {
          if (line.function!.name.startsWith("main.")) {
            expect(line.function!.filename).toMatch(/heapgen\/main\.go$/);
            expect(line.line).toBeGreaterThan(0);
          }
        }
      }
    }
  });

  it("reads the runtime.MemStats block exactly, big values as bigint", () => {
    for (const run of runs) {
      const text = readFileSync(run.heapText, "utf8");
      const { memStats } = parseLegacyHeapText(text);
      expect(memStats).toBeDefined();
      const field = (name: string) => /^# (\w+) = (.*)$/m.exec(text.slice(text.indexOf(`# ${name} = `)))![2]!;
      for (const name of [
        "Alloc",
        "TotalAlloc",
        "Sys",
        "HeapAlloc",
        "HeapInuse",
        "HeapObjects",
        "NumGC",
        "NextGC",
      ]) {
        const expected = BigInt(field(name));
        const value = memStats![name];
        expect(typeof value === "bigint" ? value : BigInt(value!), `${run.name} ${name}`).toBe(expected);
        if (expected > BigInt(Number.MAX_SAFE_INTEGER)) expect(typeof value).toBe("bigint");
      }
      const [inuse, sys] = field("Stack").split(" / ");
      expect(memStats!.StackInuse).toBe(Number(inuse));
      expect(memStats!.StackSys).toBe(Number(sys));
      expect(memStats!.GCCPUFraction).toBe(Number(field("GCCPUFraction")));
      // heapgen disables GC after its last collection: NextGC is then beyond 2^53.
      expect(typeof memStats!.NextGC).toBe("bigint");
    }
  });

  it("is what parseProfileBytes returns for debug=1 text", () => {
    const parsed = parseProfileBytes(readGunzipped(runs[0]!.heapText), "heap.txt");
    expect(parsed.format).toBe("legacy-heap-text");
    expect(parsed.memStats?.HeapAlloc).toBeGreaterThan(0);
    expect(parsed.profile.dropFrames).toContain("runtime\\..*");
  });

  it("follows pprof's header rules: alloc columns only when they differ, heapprofile is unsampled", async () => {
    const same = "heap profile: 2: 2048 [2: 2048] @ heap/1048576\n2: 2048 [2: 2048] @ 0x1001 0x2002\n";
    const parsedSame = parseLegacyHeapText(same).profile;
    expect(parsedSame.sampleTypes.map((t) => t.type)).toEqual(["objects", "space"]);
    const unsampled = "heap profile: 2: 2048 [3: 4096] @ heapprofile\n2: 2048 [3: 4096] @ 0x1001\n";
    const parsedUnsampled = parseLegacyHeapText(unsampled).profile;
    expect(parsedUnsampled.samples[0]!.values).toEqual([3, 4096, 2, 2048]);
    expect(parsedUnsampled.period).toBe(1n);
    // And both as pprof reads them.
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/heapscope-legacy-`);
    for (const [name, text, profile] of [
      ["same.txt", same, parsedSame],
      ["unsampled.txt", unsampled, parsedUnsampled],
    ] as const) {
      writeFileSync(`${dir}/${name}`, text);
      const raw = parseRaw(await pprof(["-raw", `${dir}/${name}`]));
      expect(profile.samples.map((s) => s.values.map(BigInt))).toEqual(raw.samples.map((s) => s.values));
    }
  });

  it("scales like pprof: 1/(1-exp(-avg/rate)), truncated", () => {
    expect(scaleHeapSample(1n, 96n, 524288n)).toEqual([5461n, 524336n]);
    expect(scaleHeapSample(0n, 0n, 524288n)).toEqual([0n, 0n]);
    expect(scaleHeapSample(3n, 300n, 1n)).toEqual([3n, 300n]);
  });

  it("refuses what is not a heap profile, and malformed records, with ProfileDecodeError", () => {
    expect(() => parseLegacyHeapText("goroutine profile: total 4\n")).toThrow(ProfileDecodeError);
    expect(() => parseLegacyHeapText("heap profile: 1: 1 [1: 1] @ heap/2\nnot a record\n")).toThrow(
      /malformed heap profile line 2/,
    );
    expect(() => parseLegacyHeapText("heap profile: 1: 1 [1: 1] @ heap/2\n0: 5 [0: 0] @ 0x1\n")).toThrow(
      /inuse count was 0 but inuse bytes was 5/,
    );
  });
});
