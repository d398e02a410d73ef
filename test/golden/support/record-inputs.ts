/**
 * Re-records the real inputs of the golden reports that are not fixtures of other suites (run by
 * `npx tsx scripts/update-golden.ts --record-inputs`): `go test -bench` outputs of
 * test/e2e/bench-gate/programs/gatebench in four variants, and MemStats series of
 * test/e2e/signals/programs/runtime-signals, leaking and healthy: /debug/vars read over HTTP as JSON
 * lines with the capture time (gzipped), the leaking run's own log lines, and two goroutine dumps
 * of one run, before and after it leaks goroutines.
 * Each run is real and its timings differ; the golden reports must be rewritten afterwards.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { repoRoot, reportsInputsDir } from "./reports.js";

const GO_ENV = { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" };

/** gatebench built with these tags; the first two are the same code, run twice. */
const BENCH_RECORDINGS: { name: string; tags: string }[] = [
  { name: "bench.gatebench-default-1.txt", tags: "" },
  { name: "bench.gatebench-default-2.txt", tags: "" },
  { name: "bench.gatebench-regress.txt", tags: "regress" },
  { name: "bench.gatebench-smallgrow.txt", tags: "smallgrow" },
  { name: "bench.gatebench-zeroalloc.txt", tags: "zeroalloc" },
];

function recordBenchInputs(): void {
  const dir = path.join(repoRoot, "test/e2e/bench-gate/programs/gatebench");
  for (const { name, tags } of BENCH_RECORDINGS) {
    const args = ["test", "-trimpath", "-run", "^$", "-bench", ".", "-benchmem", "-count", "6"];
    args.push("-benchtime", "1000x", ...(tags ? ["-tags", tags] : []), ".");
    const output = execFileSync("go", args, { cwd: dir, env: GO_ENV, encoding: "utf8" });
    writeFileSync(path.join(reportsInputsDir, name), output);
    process.stderr.write(`recorded ${name}\n`);
  }
}

const READINGS = 64;
const INTERVAL_MS = 250;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForHttp(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await sleep(100);
  }
}

/**
 * runtime-signals in `mode`, its /debug/vars read READINGS times as JSON lines with the capture
 * time, and (with -log-memstats) its own `Alloc = N MiB` log lines over the same span.
 */
async function recordMemStatsSeries(binary: string, mode: "leak" | "healthy"): Promise<void> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ["-addr", `127.0.0.1:${port}`, "-mode", mode, "-log-memstats", `${INTERVAL_MS}ms`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    log += chunk.toString("utf8");
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/snapshot`);
    const lines: string[] = [];
    for (let i = 0; i < READINGS; i++) {
      const response = await fetch(`${base}/debug/vars`, { signal: AbortSignal.timeout(10_000) });
      const body = (await response.text()).trim();
      // The raw body is embedded as is, so LastGC keeps all its digits.
      lines.push(`{"time":"${new Date().toISOString()}","vars":${body}}`);
      await sleep(INTERVAL_MS);
    }
    // Kept gzipped, as series often are: each reading holds the whole MemStats (BySize, PauseNs).
    const name = `memstats.vars-${mode}.jsonl.gz`;
    writeFileSync(path.join(reportsInputsDir, name), gzipSync(`${lines.join("\n")}\n`));
    process.stderr.write(`recorded ${name}\n`);
    if (mode === "leak") {
      const logLines = log.split("\n").filter((line) => line.includes("Alloc = "));
      writeFileSync(path.join(reportsInputsDir, `memstats.log-${mode}.txt`), `${logLines.join("\n")}\n`);
      process.stderr.write(`recorded memstats.log-${mode}.txt\n`);
    }
  } finally {
    child.kill("SIGTERM");
  }
}

/** Two ?debug=2 dumps of runtime-signals, before and after it leaks 25 goroutines (for --base). */
async function recordGoroutineDumps(binary: string): Promise<void> {
  const port = await freePort();
  const child = spawn(binary, ["-addr", `127.0.0.1:${port}`, "-mode", "healthy"], { stdio: "ignore" });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/snapshot`);
    const dump = async (name: string) => {
      const response = await fetch(`${base}/dump?debug=2`, { signal: AbortSignal.timeout(10_000) });
      writeFileSync(path.join(reportsInputsDir, name), await response.text());
      process.stderr.write(`recorded ${name}\n`);
    };
    await dump("goroutines.spawn-before.txt");
    await (await fetch(`${base}/spawn?n=25`, { signal: AbortSignal.timeout(10_000) })).text();
    await sleep(500);
    await dump("goroutines.spawn-after.txt");
  } finally {
    child.kill("SIGTERM");
  }
}

export async function recordInputs(): Promise<void> {
  mkdirSync(reportsInputsDir, { recursive: true });
  recordBenchInputs();
  const temp = mkdtempSync(path.join(os.tmpdir(), "heapscope-golden-"));
  try {
    const binary = path.join(temp, "runtime-signals");
    execFileSync("go", ["build", "-trimpath", "-o", binary, "."], {
      cwd: path.join(repoRoot, "test/e2e/signals/programs/runtime-signals"),
      env: GO_ENV,
      stdio: "inherit",
    });
    for (const mode of ["leak", "healthy"] as const) await recordMemStatsSeries(binary, mode);
    await recordGoroutineDumps(binary);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
