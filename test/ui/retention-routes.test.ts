/**
 * The retention APIs over real HTTP, on synthetic dumps of exact shape: the tree of a dump file
 * (holders named from --binary's stand-in, children largest first), the path of a node, the answer
 * for inputs without a dump, and one-line errors for a damaged dump, a bad node and a --binary with
 * no dump to name.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUiServer, type UiServer } from "../../src/ui/server/server.js";
import type {
  RetentionPathWire,
  RetentionTreeWire,
  RetentionUnavailableWire,
} from "../../src/ui/shared/retention-wire.js";
import { DumpWriter } from "../formats/heapdump/support/dump-writer.js";
import { encodeGz, profileFromStacks } from "./support.js";

const BASE = 0xc000100000;
const BSS = 0x700000;
const at = (k: number) => BASE + k * 0x1000;

let server: UiServer;
let work: string;

async function get<T>(pathname: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`http://127.0.0.1:${server.port}${pathname}`);
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "heapscope-retention-routes-"));
  // Two unnamed globals: one keeps an array of 20 records (48 B, each with a 512 B buffer), one a 64 B object.
  const w = new DumpWriter().header().params();
  w.object(
    at(0),
    160,
    Array.from({ length: 20 }, (_, k) => [8 * k, at(1 + k)] as [number, number]),
  );
  for (let k = 0; k < 20; k++) {
    w.object(at(1 + k), 48, [[16, at(21 + k)]]);
    w.object(at(21 + k), 512);
  }
  w.object(at(41), 64);
  w.segment(13, BSS, 16, [
    [0, at(0)],
    [8, at(41)],
  ]);
  const dump = path.join(work, "heap.dump");
  writeFileSync(dump, w.end().finish());
  const damaged = path.join(work, "damaged.dump");
  writeFileSync(
    damaged,
    Buffer.concat([Buffer.from("go1.7 heap dump\n"), Buffer.from([1, 0xff, 0xff, 0xff])]),
  );
  const profile = path.join(work, "heap.pb.gz");
  writeFileSync(profile, encodeGz(profileFromStacks([{ frames: ["main.main"], bytes: 1024 }])));
  const copy = path.join(work, "copy.dump");
  copyFileSync(dump, copy);
  server = await startUiServer({ inputs: [dump, damaged, profile, copy], warm: false });
});

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the retention APIs", () => {
  it("serves a dump file's tree: holders by retained bytes, then its objects by size", async () => {
    const { status, body } = await get<RetentionTreeWire>("/api/retention?src=0");
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
    const { parent, name, kind, bytes, objects } = body.nodes;
    const kept = 160 + 20 * (48 + 512);
    expect(body.reachableBytes).toBe(kept + 64);
    expect(bytes[0]).toBe(kept + 64);
    const holders = parent.flatMap((p, v) => (p === 0 ? [v] : []));
    expect(holders.map((v) => [name[v], kind[v], bytes[v]])).toEqual([
      ["bss+0x0", "holder", kept],
      ["bss+0x8", "holder", 64],
    ]);
    const array = parent.indexOf(holders[0]!);
    const records = parent.indexOf(array);
    expect([name[records], objects[records]]).toEqual(["48 B objects (20)", 40]);
    expect(bytes[records]).toBe(20 * (48 + 512));
    expect(body.limits.some((l) => l.includes("no binary symbols"))).toBe(true);

    const path = await get<RetentionPathWire>(`/api/retention/path?src=0&node=${records}`);
    expect(path.status).toBe(200);
    expect(path.body.roots).toEqual([{ label: "bss+0x0", kind: "global" }]);
    expect(path.body.steps.map((s) => [s.bytes, s.offset, s.site])).toEqual([
      [160, 0, null],
      [48, 0, null],
    ]);
  });

  it("says a profile has no dump, and refuses paths there and bad nodes", async () => {
    const none = await get<RetentionUnavailableWire>("/api/retention?src=2");
    expect(none.body).toEqual({ status: "no-dump", message: expect.stringContaining("not a heap dump") });
    const path = await get<{ error: string }>("/api/retention/path?src=2&node=1");
    expect(path.status).toBe(400);
    expect(path.body.error).toContain("has no heap dump");
    for (const node of ["-1", "1.5", "x", "100000"]) {
      const bad = await get<{ error: string }>(`/api/retention/path?src=0&node=${node}`);
      expect(bad.status, node).toBe(400);
      expect(bad.body.error).toMatch(/^node: expected 0 to \d+, got /);
    }
  });

  it("analyses a dump once: later requests do not read the file again", async () => {
    const first = await get<RetentionTreeWire>("/api/retention?src=3");
    expect(first.status).toBe(200);
    rmSync(path.join(work, "copy.dump"));
    const again = await get<RetentionTreeWire>("/api/retention?src=3");
    expect(again.body).toEqual(first.body);
    expect((await get<RetentionPathWire>("/api/retention/path?src=3&node=1")).status).toBe(200);
  });

  it("answers a damaged dump with one line naming it", async () => {
    const { status, body } = await get<{ error: string }>("/api/retention?src=1");
    expect(status).toBe(400);
    expect(body.error).toMatch(/damaged\.dump: /);
    expect(body.error).not.toContain("\n");
  });

  it("refuses --binary without a dump input, and a --binary that is missing", async () => {
    const profile = path.join(work, "heap.pb.gz");
    await expect(startUiServer({ inputs: [profile], binary: profile, warm: false })).rejects.toThrow(
      /--binary names the program of a heap dump input/,
    );
    await expect(
      startUiServer({ inputs: [path.join(work, "heap.dump")], binary: path.join(work, "nope"), warm: false }),
    ).rejects.toThrow(/nope: no such file/);
  });
});
