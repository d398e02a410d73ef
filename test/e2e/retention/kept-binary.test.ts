/**
 * A recording made by `heapscope doctor --keep-dump --out REC -- go run .` keeps, beside its dump,
 * the binary heapscope built (and deleted): later `heapscope retainers REC`, `heapscope inspect REC`
 * and the UI's retention API name the dump's global and type its path without any --binary. An
 * explicit --binary still wins (one that did not write the dump is refused), and a recording made
 * without --keep-dump keeps neither dump nor binary. Uses dist/.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUiServer, type UiServer } from "../../../src/ui/server/server.js";
import type { RetentionPathWire, RetentionTreeWire } from "../../../src/ui/shared/retention-wire.js";
import { buildGoProgram, freePort, runCli } from "../../support/go.js";
import { GO_DEFAULT, goToolchains } from "../../support/go-toolchains.js";

const toolchain = goToolchains.find((t) => t.label === "go1.26.8")!;
const registry = path.resolve(import.meta.dirname, "../retention-typed/programs/registry");
const globalTruncated = path.resolve(import.meta.dirname, "programs/global-truncated");

interface HolderJson {
  root: string;
  rootKind: string;
  type?: string | null;
  retainedBytes: number;
  path: { field?: string | null; type?: string | null; mapInternal?: boolean }[];
}

let work: string;
/** A binary that did not write the recording's dump: another program's, built with a plain `go build`. */
let otherBinary: string;

async function doctor(cwd: string, out: string, keep: boolean): Promise<void> {
  const port = await freePort();
  const run = await runCli(
    [
      "doctor",
      "--duration",
      "10s",
      "--json",
      "--url",
      `http://127.0.0.1:${port}`,
      ...(keep ? ["--keep-dump"] : []),
      "--out",
      out,
      "--",
      "go",
      "run",
      ".",
      "-addr",
      `127.0.0.1:${port}`,
    ],
    { cwd, env: toolchain.env, timeoutMs: 150_000 },
  );
  expect(run.code, run.stderr).toBe(0);
}

function tableCounts(file: string): { dumps: number; binaries: number; binaryChunkBytes: number } {
  const db = new Database(file, { readonly: true });
  try {
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      dumps: count("SELECT count(*) FROM heap_dumps"),
      binaries: count("SELECT count(*) FROM dump_binaries"),
      binaryChunkBytes: count("SELECT coalesce(sum(length(data)), 0) FROM dump_binary_chunks"),
    };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "heapscope-kept-binary-"));
  await doctor(registry, path.join(work, "kept.hsrec"), true);
  await doctor(globalTruncated, path.join(work, "plain.hsrec"), false);
  otherBinary = await buildGoProgram(globalTruncated, { toolchain: GO_DEFAULT });
}, 420_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("a doctor --keep-dump recording keeps the binary that wrote its dump", () => {
  it("stores the binary once, gzip-compressed, beside the dump", () => {
    const rec = path.join(work, "kept.hsrec");
    const counts = tableCounts(rec);
    expect(counts).toMatchObject({ dumps: 1, binaries: 1 });
    const db = new Database(rec, { readonly: true });
    const binary = db.prepare("SELECT name, size, stored_size AS stored FROM dump_binaries").get() as {
      name: string;
      size: number;
      stored: number;
    };
    const dumpSize = db.prepare("SELECT size FROM heap_dumps").pluck().get() as number;
    db.close();
    expect(binary.name).toBe("registry");
    expect(binary.stored).toBe(counts.binaryChunkBytes);
    expect(binary.stored).toBeLessThan(binary.size);
    // The sizes this adds, for the report: the binary, what is stored, the dump, the whole file.
    console.log(
      `kept binary ${binary.size} B, stored ${binary.stored} B; dump ${dumpSize} B; recording ${statSync(rec).size} B`,
    );
  });

  it("retainers names the global and its type with no --binary", async () => {
    const run = await runCli(["retainers", path.join(work, "kept.hsrec"), "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { holders: HolderJson[]; limits: string[]; types: unknown };
    // `var metrics = &registry{...}`: the static registry value is the root, named by the pointer to it.
    const holder = report.holders.find((h) => h.root === "*main.metrics");
    expect(holder, JSON.stringify(report.holders.map((h) => h.root))).toBeDefined();
    expect(holder).toMatchObject({ rootKind: "global", type: "main.registry" });
    expect(holder!.path.filter((s) => !s.mapInternal).map((s) => s.field)).toEqual([
      ".series",
      "value",
      ".points",
    ]);
    expect(report.types).not.toBeNull();
    expect(report.limits.join(" ")).not.toContain("no binary symbols");
  });

  it("an explicit --binary wins: one that did not write the dump is refused", async () => {
    const run = await runCli(["retainers", path.join(work, "kept.hsrec"), "--binary", otherBinary, "--json"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("did not write this heap dump");
  });

  it("inspect says the recording holds a heap dump and the binary that names it", async () => {
    const rec = path.join(work, "kept.hsrec");
    const json = await runCli(["inspect", rec, "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as {
      heapDumps: { goVersion: string; bytes: number; binary: { name: string; bytes: number } | null }[];
    };
    expect(report.heapDumps).toHaveLength(1);
    expect(report.heapDumps[0]!.goVersion).toBe("go1.26.8");
    expect(report.heapDumps[0]!.binary?.name).toBe("registry");
    const text = await runCli(["inspect", rec]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/heap dump\s+go1\.26\.8, .*named by the binary kept with it, registry/);
  });

  it("the UI's retention API names the global and types its path, map storage left out", async () => {
    let server: UiServer | undefined;
    try {
      server = await startUiServer({ inputs: [path.join(work, "kept.hsrec")], warm: false });
      const base = server.url.replace(/\/$/, "");
      const tree = (await (await fetch(`${base}/api/retention?src=0`)).json()) as RetentionTreeWire;
      expect(tree.status).toBe("ok");
      expect(tree.limits.join(" ")).not.toContain("no binary symbols");
      const holder = tree.nodes.name.indexOf("*main.metrics");
      expect(holder, tree.nodes.name.slice(0, 20).join(", ")).toBeGreaterThan(0);
      expect(tree.nodes.kind[holder]).toBe("holder");
      // Among the groups the holder keeps, the point arrays are reached through the map's values; the
      // map's storage between the registry and the series values is left out of the path.
      const under = (v: number): boolean => {
        for (let p = tree.nodes.parent[v]!; p > 0; p = tree.nodes.parent[p]!) if (p === holder) return true;
        return false;
      };
      const groups = tree.nodes.parent
        .map((_, v) => v)
        .filter(under)
        .sort((a, b) => tree.nodes.bytes[b]! - tree.nodes.bytes[a]!);
      let wire: RetentionPathWire | undefined;
      for (const node of groups) {
        const response = await fetch(`${base}/api/retention/path?src=0&node=${node}`);
        const candidate = (await response.json()) as RetentionPathWire;
        if (candidate.steps.at(-1)?.field === ".points") {
          wire = candidate;
          break;
        }
      }
      if (!wire)
        throw new Error(`no group under *main.metrics ends its path at .points (${groups.length} groups)`);
      expect(wire.roots).toEqual([{ label: "*main.metrics", kind: "global" }]);
      const steps = wire.steps.map((s) => `${s.field} (${s.type})`);
      expect(steps.slice(0, 2)).toEqual([".series (map[string]*main.series)", "value (main.series)"]);
      expect(steps[2]).toMatch(/^\.points \(\[\d+\]\*main\.point\)$/);
      expect(steps).toHaveLength(3);
    } finally {
      await server?.close();
    }
  });

  it("the UI's --binary wins over the kept binary for a recording: one that did not write the dump is refused", async () => {
    let server: UiServer | undefined;
    try {
      server = await startUiServer({
        inputs: [path.join(work, "kept.hsrec")],
        binary: otherBinary,
        warm: false,
      });
      const response = await fetch(`${server.url.replace(/\/$/, "")}/api/retention?src=0`);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain("did not write this heap dump");
    } finally {
      await server?.close();
    }
  });
});

describe("a recording made without --keep-dump", () => {
  it("stores neither the dump nor the binary", async () => {
    const rec = path.join(work, "plain.hsrec");
    expect(tableCounts(rec)).toEqual({ dumps: 0, binaries: 0, binaryChunkBytes: 0 });
    const inspect = await runCli(["inspect", rec, "--json"]);
    expect(JSON.parse(inspect.stdout).heapDumps).toEqual([]);
    const retainers = await runCli(["retainers", rec]);
    expect(retainers.code).not.toBe(0);
    expect(retainers.stderr).toContain("holds no heap dump");
  });
});
