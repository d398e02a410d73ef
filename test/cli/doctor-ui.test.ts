/**
 * `heapscope doctor --ui` through the built CLI: the UI's URL on stderr, the verdict unchanged on
 * stdout, and (stdout not a terminal) the server closed so the command ends by itself.
 */
import { createServer } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, repoRoot, runCli } from "../support/go.js";

const demoRecording = path.join(repoRoot, "assets/demo/leaky-service.hsrec");

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

describe("doctor --ui", () => {
  it("serves the recording, prints the UI URL, reports the same verdict and exits when not on a terminal", async () => {
    const plain = await runCli(["doctor", demoRecording, "--json"]);
    expect(plain.code, plain.stderr).toBe(0);
    const expected = JSON.parse(plain.stdout) as { verdict: string };

    const port = await freePort();
    const result = await runCli(["doctor", demoRecording, "--ui", "--ui-port", String(port), "--json"], {
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const match = /^heapscope ui: (\S+)$/m.exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    const url = new URL(match![1]!);
    expect(url.hostname).toBe("127.0.0.1");
    expect(url.port).toBe(String(port));
    const json = JSON.parse(result.stdout) as { verdict: string };
    expect(json.verdict).toBe(expected.verdict);
    expect(["leak", "no-leak", "inconclusive"]).toContain(json.verdict);
    // Not a terminal: the server was closed with the command.
    expect(await portIsFree(port)).toBe(true);
  }, 90_000);

  it("rejects a bad --ui-port with one line and exit 2", async () => {
    const result = await runCli(["doctor", demoRecording, "--ui", "--ui-port", "70000"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("--ui-port");
  });
});
