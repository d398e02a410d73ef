/**
 * `heapscope ui` as a user runs it (the built CLI in dist/): prints the URL, serves, stops on
 * SIGTERM; bad inputs fail with one line and exit 2.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../support/go.js";
import { encodeGz, ensureUiBuilt, profileFromStacks } from "./support.js";

let work: string;
let profilePath: string;

beforeAll(async () => {
  await ensureUiBuilt();
  work = mkdtempSync(path.join(tmpdir(), "heapscope-ui-cli-"));
  profilePath = path.join(work, "heap.pb.gz");
  writeFileSync(
    profilePath,
    encodeGz(profileFromStacks([{ frames: ["runtime.main", "main.main", "main.leak"], bytes: 1 << 20 }])),
  );
});

describe("heapscope ui", () => {
  it("prints the URL on 127.0.0.1, serves the UI, and exits 0 on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, "bin/heapscope.js"), "ui", profilePath, "--no-open"],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!stdout.includes("\n") && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const url = stdout.trim();
      expect(url, stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
      const workspace = (await (await fetch(`${url}api/workspace`)).json()) as {
        documents: Array<{ name: string }>;
      };
      expect(workspace.documents.map((d) => d.name)).toEqual([profilePath]);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it("fails with one line and exit 2 on a missing file", async () => {
    const missing = path.join(work, "nope.pb.gz");
    const result = await runCli(["ui", missing, "--no-open"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`heapscope: ${missing}: no such file`);
  });

  it("fails with one line and exit 2 on input that is no known format", async () => {
    const junk = path.join(work, "junk.txt");
    writeFileSync(junk, "hello\nthis is not a profile\n");
    const result = await runCli(["ui", junk, "--no-open"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(
      `heapscope: ${junk}: not a profile, recording, gctrace log, MemStats series or goroutine dump`,
    );
    const binary = path.join(work, "junk.bin");
    writeFileSync(binary, Buffer.from([0xff, 0x00, 0x13, 0x37, 0x99, 0x00, 0x01]));
    const binaryResult = await runCli(["ui", binary, "--no-open"]);
    expect(binaryResult.code).toBe(2);
    expect(binaryResult.stderr.trim().split("\n")).toHaveLength(1);
    expect(binaryResult.stderr).toMatch(/^heapscope: .*junk\.bin: /);
  });

  it("rejects a bad port", async () => {
    const result = await runCli(["ui", profilePath, "--no-open", "--port", "70000"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--port must be a number 0-65535");
  });

  it("has help with an example", async () => {
    const result = await runCli(["ui", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("$ heapscope ui heap.pb.gz");
    expect(result.stdout).toContain("--host <addr>");
  });
});
