/**
 * The UI server without a browser: security headers and guards over real HTTP, the token exchange,
 * API errors, the source-path guard, and the flame tree wire format.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFlameDiffTree, buildFlameTree, type FlameTree } from "../../src/profile/flame-tree.js";
import { createUiApp } from "../../src/ui/server/app.js";
import { UiAssets } from "../../src/ui/server/assets.js";
import { encodeFlameTree } from "../../src/ui/server/flame-encode.js";
import { profileDocument } from "../../src/ui/server/inputs.js";
import { ProfileEngine } from "../../src/ui/server/profile-engine.js";
import { CONTENT_SECURITY_POLICY } from "../../src/ui/server/security.js";
import { startUiServer, type UiServer } from "../../src/ui/server/server.js";
import { SourceRoots } from "../../src/ui/server/source-files.js";
import { Workspace } from "../../src/ui/server/workspace.js";
import { align8, type FlameWireHeader, wireElementBytes } from "../../src/ui/shared/flame-wire.js";
import { ancestry, decodeFlame, fileOf, nameOf, selfValue } from "../../src/ui/web/src/flame/data.js";
import { encodeGz, ensureUiBuilt, largeProfile, profileFromStacks, repoRoot } from "./support.js";

let server: UiServer;
let work: string;

function request(
  port: number,
  pathname: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: pathname, method: options.method ?? "GET", headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
    req.end();
  });
}

const stacks = [
  { frames: ["runtime.main", "main.main", "main.leak"], bytes: 6 << 20 },
  { frames: ["runtime.main", "main.main", "main.cache", "main.leak"], bytes: 2 << 20 },
  { frames: ["runtime.main", "main.main", "main.cache"], bytes: 1 << 20 },
];

beforeAll(async () => {
  await ensureUiBuilt();
  work = mkdtempSync(path.join(tmpdir(), "heapscope-ui-server-"));
  const file = path.join(work, "heap.pb.gz");
  writeFileSync(file, encodeGz(profileFromStacks(stacks)));
  server = await startUiServer({ inputs: [file] });
});

afterAll(async () => {
  await server?.close();
});

describe("security headers and guards", () => {
  it("serves the page with a strict CSP: no inline script, no eval, Trusted Types required", async () => {
    const res = await request(server.port, "/", { headers: { Host: `127.0.0.1:${server.port}` } });
    expect(res.status).toBe(200);
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-frame-options"]).toBe("DENY");
    // The built page has no inline script: every <script> has a src.
    const scripts = [...res.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, content] of scripts) {
      expect(attrs).toMatch(/src="\/assets\//);
      expect(content!.trim()).toBe("");
    }
  });

  it("gives 'wasm-unsafe-eval' to the call graph worker only", async () => {
    const assets = readdirSync(path.join(repoRoot, "assets/ui/assets"));
    const worker = assets.find((name) => /^graph-worker-.*\.js$/.test(name));
    const main = assets.find((name) => /^index-.*\.js$/.test(name));
    expect(worker).toBeDefined();
    const host = { Host: `localhost:${server.port}` };
    const workerRes = await request(server.port, `/assets/${worker}`, { headers: host });
    expect(workerRes.status).toBe(200);
    expect(String(workerRes.headers["content-security-policy"])).toContain("'wasm-unsafe-eval'");
    const mainRes = await request(server.port, `/assets/${main}`, { headers: host });
    expect(mainRes.status).toBe(200);
    expect(String(mainRes.headers["content-security-policy"])).not.toContain("wasm");
    expect((await request(server.port, "/assets/..%2Findex.html", { headers: host })).status).toBe(404);
  });

  it("refuses other Host headers (DNS rebinding)", async () => {
    for (const host of [
      "evil.example",
      `evil.example:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      "127.0.0.1",
    ]) {
      const res = await request(server.port, "/api/workspace", { headers: { Host: host } });
      expect(res.status, host).toBe(403);
    }
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`]) {
      expect((await request(server.port, "/api/workspace", { headers: { Host: host } })).status, host).toBe(
        200,
      );
    }
  });

  it("refuses cross-origin requests other than GET", async () => {
    const host = `127.0.0.1:${server.port}`;
    const cross = await request(server.port, "/api/workspace", {
      method: "POST",
      headers: { Host: host, Origin: "http://evil.example" },
    });
    expect(cross.status).toBe(403);
    const crossSite = await request(server.port, "/api/workspace", {
      method: "POST",
      headers: { Host: host, "Sec-Fetch-Site": "cross-site" },
    });
    expect(crossSite.status).toBe(403);
    const same = await request(server.port, "/api/workspace", {
      method: "POST",
      headers: { Host: host, Origin: `http://${host}` },
    });
    expect(same.status).toBe(404);
  });

  it("requires the token when one is set, trading it for an HttpOnly cookie", async () => {
    const workspace = new Workspace();
    workspace.add(profileDocument("heap", profileFromStacks(stacks)));
    const sources = new SourceRoots([]);
    const { app } = createUiApp({
      workspace,
      engine: new ProfileEngine(workspace, sources),
      assets: new UiAssets(),
      sources,
      live: false,
      security: { allowedHostNames: ["devbox"], port: () => 8080, token: "s3cret-token", anyHost: false },
    });
    const host = { Host: "devbox:8080" };
    expect((await app.request("http://devbox:8080/", { headers: host })).status).toBe(401);
    expect((await app.request("http://devbox:8080/?token=wrong", { headers: host })).status).toBe(401);
    expect((await app.request("http://devbox:8080/api/workspace", { headers: host })).status).toBe(401);
    const exchange = await app.request("http://devbox:8080/?token=s3cret-token&view=top", { headers: host });
    expect(exchange.status).toBe(303);
    expect(exchange.headers.get("location")).toBe("/?view=top");
    const cookie = exchange.headers.get("set-cookie")!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    const cookieHeader = cookie.split(";", 1)[0]!;
    const withCookie = await app.request("http://devbox:8080/api/workspace", {
      headers: { ...host, Cookie: cookieHeader },
    });
    expect(withCookie.status).toBe(200);
    const withBearer = await app.request("http://devbox:8080/api/workspace", {
      headers: { ...host, Authorization: "Bearer s3cret-token" },
    });
    expect(withBearer.status).toBe(200);
    // The token does not replace the Host check.
    expect(
      (
        await app.request("http://evil.example:8080/api/workspace", {
          headers: { Host: "evil.example:8080", Cookie: cookieHeader },
        })
      ).status,
    ).toBe(403);
  });

  it("puts the token in the printed URL of a server started with one", async () => {
    const file = path.join(work, "heap.pb.gz");
    const guarded = await startUiServer({ inputs: [file], token: "abc123" });
    try {
      expect(guarded.url).toBe(`http://127.0.0.1:${guarded.port}/?token=abc123`);
      const host = { Host: `127.0.0.1:${guarded.port}` };
      expect((await request(guarded.port, "/api/workspace", { headers: host })).status).toBe(401);
      expect((await request(guarded.port, "/api/workspace?token=abc123", { headers: host })).status).toBe(
        200,
      );
    } finally {
      await guarded.close();
    }
  });
});

describe("API", () => {
  const host = () => ({ Host: `127.0.0.1:${server.port}` });

  it("answers bad parameters with a one-line JSON error", async () => {
    const badType = await request(server.port, "/api/flame?si=nonsense", { headers: host() });
    expect(badType.status).toBe(400);
    expect(JSON.parse(badType.body).error).toMatch(/sample_index "nonsense" must be one of/);
    const badRegex = await request(server.port, "/api/top?f=(", { headers: host() });
    expect(badRegex.status).toBe(400);
    expect(JSON.parse(badRegex.body).error).not.toContain("\n");
    const missing = await request(server.port, "/api/meta?src=7", { headers: host() });
    expect(missing.status).toBe(404);
    const badGranularity = await request(server.port, "/api/flame?g=bogus", { headers: host() });
    expect(badGranularity.status).toBe(400);
  });

  it("sends the flame tree as typed arrays that decode to the engine's tree", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/flame?src=0`);
    expect(res.status).toBe(200);
    const buffer = await res.arrayBuffer();
    const bytes = new Uint8Array(buffer);
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe("HSF2");
    const headerLength = new DataView(buffer).getUint32(4, true);
    const header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)),
    ) as FlameWireHeader;
    const tree = server.engine.flameTree({ src: "0", base: "", si: "", f: "", i: "", h: "", s: "", g: "" });
    expect(header.nodeCount).toBe(tree.nodeCount);
    expect(header.sampleType).toEqual({ type: "inuse_space", unit: "bytes" });
    let offset = align8(8 + headerLength);
    for (const spec of header.arrays) {
      if (spec.name === "weight") {
        // Whole numbers of bytes below 2^32 travel as u32.
        expect(spec.type).toBe("u32");
        const weight = new Uint32Array(buffer, offset, spec.length);
        expect([...weight]).toEqual([...tree.weight]);
        // 9 MiB total; main.leak is reached twice (directly and through main.cache).
        expect(weight[0]).toBe(9 << 20);
      }
      // A handful of names and depths: one byte each.
      if (spec.name === "nameIndex" || spec.name === "depth") expect(spec.type).toBe("u8");
      offset = align8(offset + spec.length * wireElementBytes[spec.type]);
    }
    expect(offset).toBe(buffer.byteLength);
    // The same tree encoded again gives the same bytes (built once, cached).
    expect(Buffer.from(encodeFlameTree(tree)).equals(Buffer.from(bytes))).toBe(true);
  });

  it("decodes in the browser's decoder to the engine's tree: structure, names, values, left edges", () => {
    const hostile = profileFromStacks(
      [
        { frames: ["runtime.main", "main.main", '<img src=x onerror="alert(1)">'], bytes: 3 << 20 },
        { frames: ["runtime.main", "main.main", "main.ünïcødé→λ", "main.inner"], bytes: 1 << 20 },
        ...stacks,
      ],
      { fileOf: (name) => (name.startsWith("main.") ? "/src/app/main.go" : "/go/src/runtime/proc.go") },
    );
    const big = largeProfile(3000, 11);
    // Over 2^32 bytes: the weights do not fit 32 bits and travel as f64.
    const huge = profileFromStacks([
      { frames: ["main.main", "main.a"], bytes: 2 ** 33 + 1 },
      { frames: ["main.main", "main.b"], bytes: 3 },
    ]);
    const plain = buildFlameTree(hostile, { sampleIndex: 3 });
    const trees: FlameTree[] = [
      plain,
      // Inlined flags travel only when some frame is inlined.
      { ...plain, inlined: Uint8Array.from(plain.inlined, (_, i) => (i % 3 === 2 ? 1 : 0)) },
      buildFlameTree(big, { sampleIndex: 3 }),
      buildFlameTree(huge, { sampleIndex: 3 }),
      // A diff tree sends total, self and the base's values too.
      buildFlameDiffTree(profileFromStacks(stacks), hostile, { sampleIndex: 3 }),
    ];
    for (const tree of trees) {
      const bytes = encodeFlameTree(tree, "root label");
      const data = decodeFlame(bytes.slice().buffer);
      expect(data.weight instanceof Float64Array).toBe(tree.weight[0]! >= 2 ** 32);
      expect(data.nodeCount).toBe(tree.nodeCount);
      expect(data.maxDepth).toBe(tree.maxDepth);
      expect(data.diff).toBe(tree.baseTotal !== undefined);
      expect([...data.depth]).toEqual([...tree.depth.subarray(0, tree.nodeCount)]);
      expect([...data.subtreeEnd]).toEqual([...tree.subtreeEnd.subarray(0, tree.nodeCount)]);
      // Left edges by preorder: a first child at its parent's edge, a later one after its sibling.
      const left = new Float64Array(tree.nodeCount);
      const cursor = new Float64Array(tree.nodeCount);
      for (let i = 1; i < tree.nodeCount; i++) {
        const p = tree.parent[i]!;
        left[i] = left[p]! + cursor[p]!;
        cursor[p]! += tree.weight[i]!;
      }
      for (let i = 0; i < tree.nodeCount; i++) {
        expect(data.weight[i]).toBe(tree.weight[i]);
        expect(data.total[i]).toBe(tree.total[i]);
        expect(selfValue(data, i)).toBe(tree.self[i]);
        expect(nameOf(data, i)).toBe(i === 0 ? "root label" : tree.names[tree.nameIndex[i]!]);
        expect(fileOf(data, i)).toBe(i === 0 ? "" : tree.files[tree.nameIndex[i]!]);
        expect(data.inlined[i]).toBe(tree.inlined[i]);
        if (tree.baseTotal) expect(data.baseTotal![i]).toBe(tree.baseTotal[i]);
        const path = ancestry(data, i);
        expect(path.path.at(-1)).toBe(i);
        expect(path.path.at(-2) ?? -1).toBe(tree.parent[i]);
        expect(path.left.at(-1)).toBeCloseTo(left[i]!, 6);
      }
    }
  });

  it("refuses a response that is not a flame tree", () => {
    const bytes = encodeFlameTree(buildFlameTree(profileFromStacks(stacks), { sampleIndex: 3 }));
    expect(() => decodeFlame(new TextEncoder().encode('{"error":"x"}').buffer as ArrayBuffer)).toThrow(
      /not a flame tree/,
    );
    expect(() => decodeFlame(bytes.slice(0, bytes.length - 64).buffer)).toThrow(/truncated/);
  });

  it("caps the call graph's nodes and escapes every DOT string", () => {
    const workspace = new Workspace();
    workspace.add(profileDocument("big", largeProfile(4000, 7)));
    const evilName = 'evil"]; x [label="\\N';
    workspace.add(
      profileDocument("evil", profileFromStacks([{ frames: ["main.main", evilName], bytes: 1 << 20 }])),
    );
    const engine = new ProfileEngine(workspace, new SourceRoots([]));
    const q = { src: "0", base: "", si: "", f: "", i: "", h: "", s: "", g: "" };
    expect(engine.graph(q, 80).nodeCount).toBe(80);
    const capped = engine.graph(q, 100_000);
    expect(capped.nodeCount).toBe(300);
    expect(capped.droppedNodes).toBeGreaterThan(0);
    const evil = engine.graph({ ...q, src: "1" }, 80);
    expect(evil.nodeCount).toBe(2);
    // The quote and the backslash are escaped; the name cannot open a statement of its own.
    expect(evil.dot).toContain('tooltip="evil\\"]; x [label=\\"\\\\N"');
    expect(evil.dot).not.toMatch(/^\s*x \[/m);
  });

  it("caches: a second request returns the very same tree", () => {
    const q = { src: "0", base: "", si: "alloc_space", f: "", i: "", h: "", s: "", g: "" };
    expect(server.engine.flameTree(q)).toBe(server.engine.flameTree(q));
    expect(server.engine.flameTree(q)).not.toBe(server.engine.flameTree({ ...q, si: "" }));
  });
});

describe("flame tree", () => {
  it("merges stacks root first, heaviest child first, with totals and self values", () => {
    const tree = buildFlameTree(profileFromStacks(stacks), { sampleIndex: 3 });
    const name = (i: number) => tree.names[tree.nameIndex[i]!];
    expect(name(0)).toBe("root");
    expect(tree.total[0]).toBe(9 << 20);
    expect([name(1), name(2), name(3), name(4), name(5)]).toEqual([
      "runtime.main",
      "main.main",
      "main.leak",
      "main.cache",
      "main.leak",
    ]);
    expect(tree.self[3]).toBe(6 << 20);
    expect(tree.total[4]).toBe(3 << 20);
    expect(tree.self[4]).toBe(1 << 20);
    expect(tree.subtreeEnd[0]).toBe(tree.nodeCount);
    expect(tree.subtreeEnd[2]).toBe(tree.nodeCount);
    expect(tree.subtreeEnd[3]).toBe(4);
    expect(tree.depth[5]).toBe(4);
  });
});

describe("source files", () => {
  it("reads only .go files under the roots, even through ../ and symlink-free absolute paths", () => {
    const root = path.join(work, "src-root");
    mkdirSync(path.join(root, "app"), { recursive: true });
    writeFileSync(path.join(root, "app/main.go"), "package main\n\nfunc main() {}\n");
    writeFileSync(path.join(root, "app/notes.txt"), "secret\n");
    writeFileSync(path.join(work, "outside.go"), "package secret\n");
    const roots = new SourceRoots([root]);
    const inside = roots.read("/build/ci/src/app/main.go");
    expect("lines" in inside && inside.lines[0]).toBe("package main");
    expect(roots.read(path.join(root, "app/notes.txt"))).toEqual({ error: "only .go files are shown" });
    expect("error" in roots.read(path.join(work, "outside.go"))).toBe(true);
    expect("error" in roots.read(`${root}/../outside.go`)).toBe(true);
    expect("error" in roots.read("../outside.go")).toBe(true);
    expect(new SourceRoots([]).read("/etc/hostname.go")).toEqual({ error: "no --source-path given" });
  });
});
