/**
 * Helpers for the UI tests and the UI benchmark: build the front-end when missing, launch Debian's
 * Chromium (or HEAPSCOPE_CHROMIUM) through playwright-core, synthesize profiles (encoded with
 * heapscope's own encoder).
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { encodeProfileGzip } from "../../src/formats/pprof-proto-encode.js";
import {
  emptyProfile,
  type Location,
  type Profile,
  type ProfileFunction,
  type Sample,
} from "../../src/profile/model.js";
import { chromiumPath, missingTool } from "../support/required-tools.js";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const assetsIndex = path.join(repoRoot, "assets/ui/index.html");

/**
 * Builds assets/ui/ with Vite when it is missing (`npm run build` normally did it). Test files run
 * in parallel workers, so one builds (holding a lock directory) while the others wait for it.
 */
export async function ensureUiBuilt(): Promise<void> {
  if (existsSync(assetsIndex)) return;
  const lock = path.join(repoRoot, "test/.work/ui-build.lock");
  mkdirSync(path.dirname(lock), { recursive: true });
  let owner = false;
  try {
    mkdirSync(lock);
    owner = true;
  } catch {
    // Another worker is building.
  }
  if (owner) {
    try {
      const { build } = await import("vite");
      await build({ configFile: path.join(repoRoot, "src/ui/web/vite.config.ts"), logLevel: "warn" });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  } else {
    const deadline = Date.now() + 300_000;
    while (!existsSync(assetsIndex) && existsSync(lock) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    if (!existsSync(assetsIndex)) {
      if (existsSync(lock))
        throw new Error(`the UI build did not finish in 5 minutes; remove ${lock} if it is stale`);
      return ensureUiBuilt();
    }
  }
  if (!existsSync(assetsIndex)) throw new Error("vite build did not produce assets/ui/index.html");
}

export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches Chromium (chromiumPath()); rejects saying what to install when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const missing = missingTool("chromium");
  if (missing) throw new Error(missing);
  return chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, timeout: 60_000 });
}

/**
 * A heap-profile-shaped profile from stacks (root first) and their inuse_space values.
 * Every frame is its own function and location; names may be anything, including hostile text.
 */
export function profileFromStacks(
  stacks: Array<{ frames: string[]; bytes: number; file?: string }>,
  options: { fileOf?: (name: string) => string } = {},
): Profile {
  const profile = emptyProfile();
  profile.sampleTypes = [
    { type: "alloc_objects", unit: "count" },
    { type: "alloc_space", unit: "bytes" },
    { type: "inuse_objects", unit: "count" },
    { type: "inuse_space", unit: "bytes" },
  ];
  profile.periodType = { type: "space", unit: "bytes" };
  profile.period = 524288n;
  profile.timeNanos = 1_700_000_000_000_000_000n;
  const functions = new Map<string, ProfileFunction>();
  const locations = new Map<string, Location>();
  const locationOf = (name: string): Location => {
    let location = locations.get(name);
    if (!location) {
      let fn = functions.get(name);
      if (!fn) {
        fn = {
          id: functions.size + 1,
          name,
          systemName: name,
          filename: options.fileOf?.(name) ?? "/src/app/main.go",
          startLine: 10,
        };
        functions.set(name, fn);
        profile.functions.push(fn);
      }
      location = {
        id: locations.size + 1,
        mapping: undefined,
        address: BigInt(0x400000 + locations.size * 16),
        lines: [{ function: fn, line: 10 + (locations.size % 50), column: 0 }],
        isFolded: false,
      };
      locations.set(name, location);
      profile.locations.push(location);
    }
    return location;
  };
  for (const stack of stacks) {
    const sample: Sample = {
      locations: stack.frames.map(locationOf).reverse(),
      values: [
        Math.max(1, Math.round(stack.bytes / 1024)),
        stack.bytes * 2,
        Math.max(1, Math.round(stack.bytes / 2048)),
        stack.bytes,
      ],
      labels: new Map(),
      numLabels: new Map([["bytes", [1024n]]]),
      numUnits: new Map([["bytes", [""]]]),
    };
    profile.samples.push(sample);
  }
  return profile;
}

export function encodeGz(profile: Profile): Uint8Array {
  return encodeProfileGzip(profile);
}

/**
 * A profile whose flame tree has about `targetNodes` nodes: a deterministic pseudo-random forest of
 * Go-looking call paths (packages, methods, closures), 8 to 40 frames deep, values spread over 3
 * orders of magnitude, as a big service's heap profile looks.
 */
export function largeProfile(targetNodes: number, seed = 1): Profile {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  const packages = Array.from({ length: 120 }, (_, k) => `github.com/acme/service/internal/pkg${k}`);
  const functionNames = Array.from({ length: 6000 }, (_, k) => {
    const pkg = packages[k % packages.length]!;
    const kind = k % 3;
    return kind === 0
      ? `${pkg}.Handle${k}`
      : kind === 1
        ? `${pkg}.(*Store${k % 97}).Get${k}`
        : `${pkg}.process${k}.func${1 + (k % 4)}`;
  });
  const stacks: Array<{ frames: string[]; bytes: number }> = [];
  // Each new stack shares a random-length prefix with an earlier one, so the tree branches at every depth.
  const roots = ["runtime.main", "main.main"];
  let nodes = 0;
  while (nodes < targetNodes) {
    const base =
      stacks.length > 0 && random() < 0.9 ? stacks[Math.floor(random() * stacks.length)]!.frames : roots;
    const keep = Math.max(2, Math.floor(random() * base.length));
    const depth = 8 + Math.floor(random() * 32);
    const frames = base.slice(0, Math.min(keep, depth));
    while (frames.length < depth) frames.push(functionNames[Math.floor(random() * functionNames.length)]!);
    nodes += depth - frames.slice(0, keep).length;
    stacks.push({ frames, bytes: Math.round(1024 * 10 ** (random() * 3)) });
  }
  return profileFromStacks(stacks, {
    fileOf: (name) => `/build/src/${name.split(".")[0]}/file.go`,
  });
}
