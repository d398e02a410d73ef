/**
 * `heapscope doctor` and `heapscope demo` through the built CLI: heap profiles given as files, a
 * recording, the output formats, --fail-on, and bad input (one line, exit 2).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { lookSchedule } from "../../../src/analysis/trend.js";
import { buildGoProgram, freePort, runCli, startProgram, waitForHttp } from "../../support/go.js";
import { scrape } from "./support/scrape.js";

const scenarios = path.join(import.meta.dirname, "scenarios");
const work = mkdtempSync(path.join(tmpdir(), "heapscope-doctor-cli-"));
const profileFiles: string[] = [];
let gctraceFile = "";
let recording = "";
interface DoctorJson {
  verdict: string;
  suspects: { function: string }[];
  timeToVerdictSeconds: number | null;
  observation: { spanSeconds: number };
  decision: {
    mode: string;
    observedSeconds: number;
    look?: { index: number; of: number; atSeconds: number; alphaShare: number };
  };
}
let recordedJson: DoctorJson | undefined;
let autoJson: DoctorJson | undefined;

beforeAll(async () => {
  const leaky = await buildGoProgram(path.join(scenarios, "session-map-growth"));
  // 1. Heap profiles scraped from a running leak, saved as files.
  const port = await freePort();
  const program = startProgram(leaky, ["-addr", `127.0.0.1:${port}`], {
    GODEBUG: "memprofilerate=8192,gctrace=1",
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/debug/vars`, 60_000);
    const run = await scrape(`http://127.0.0.1:${port}`, { durationMs: 11_000, intervalMs: 1000 });
    gctraceFile = path.join(work, "gctrace.log");
    writeFileSync(gctraceFile, program.stderr());
    run.ticks.forEach((tick, i) => {
      const file = path.join(work, `heap-${String(i).padStart(2, "0")}.pb.gz`);
      writeFileSync(file, tick.heap);
      profileFiles.push(file);
    });
  } finally {
    await program.stop();
  }
  // 2. A recording made by doctor itself (--out keeps it).
  const port2 = await freePort();
  recording = path.join(work, "session.hsrec");
  const result = await runCli(
    [
      "doctor",
      "--url",
      `http://127.0.0.1:${port2}`,
      "--duration",
      "12s",
      "--out",
      recording,
      "--json",
      "--",
      leaky,
      "-addr",
      `127.0.0.1:${port2}`,
    ],
    { timeoutMs: 120_000 },
  );
  expect(result.code, result.stderr).toBe(0);
  recordedJson = JSON.parse(result.stdout);
  // 3. The default, --duration auto: judged at looks, stopping once the verdict holds.
  const port3 = await freePort();
  const auto = await runCli(
    ["doctor", "--url", `http://127.0.0.1:${port3}`, "--json", "--", leaky, "-addr", `127.0.0.1:${port3}`],
    { timeoutMs: 400_000 },
  );
  expect(auto.code, auto.stderr).toBe(0);
  autoJson = JSON.parse(auto.stdout);
}, 600_000);

describe("doctor PROFILE PROFILE PROFILE ...", () => {
  test("a dozen profiles of a growing map: leak, named after the allocating function", async () => {
    expect(profileFiles.length).toBeGreaterThanOrEqual(10);
    const result = await runCli(["doctor", ...profileFiles, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.verdict).toBe("leak");
    expect(report.suspects[0].kind).toBe("heap");
    expect(report.suspects[0].function).toBe("main.newSession");
    expect(report.suspects[0].stack[0]).toBe("main.newSession");
    expect(path.basename(report.suspects[0].file)).toBe("main.go");
    expect(report.suspects[0].growthBytesPerSecond).toBeGreaterThan(10_000);
    expect(report.suspects[0].shareOfGrowth).toBeGreaterThan(0.3);
    expect(report.suspects[0].shareOfGrowth).toBeLessThanOrEqual(1);
    expect(report.signals.liveHeap.verdict).toBe("growing");
    expect(report.suspects[0].hint).toMatch(/map/);
  });

  test("--gctrace adds the program's GC cycles as evidence", async () => {
    const result = await runCli(["doctor", ...profileFiles, "--gctrace", gctraceFile, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.observation.gcCycles).toBeGreaterThan(5);
    expect(report.verdict).toBe("leak");
  });

  test("three profiles: no trend is claimed, but steady growers are named", async () => {
    const three = [profileFiles[0], profileFiles[5], profileFiles[profileFiles.length - 1]];
    const result = await runCli(["doctor", ...three, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.verdict).toBe("inconclusive");
    expect(report.toDecide).toMatch(/more minute/);
    expect(report.suspects.map((s: { function: string }) => s.function)).toContain("main.newSession");
  });

  test("--fail-on leak exits 1 on a leak; --markdown and --html write reports", async () => {
    const html = path.join(work, "report.html");
    const result = await runCli([
      "doctor",
      ...profileFiles,
      "--fail-on",
      "leak",
      "--markdown",
      "--html",
      html,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^## .*heapscope doctor: \*\*leak\*\*/);
    expect(result.stdout).toContain("main.newSession");
    const page = readFileSync(html, "utf8");
    expect(page).toContain("default-src 'none'");
    expect(page).toContain("main.newSession");
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<[^>]*\s(src|href)\s*=\s*["']?https?:/i);
  });
});

describe("doctor RECORDING", () => {
  test("doctor --url ... -- CMD diagnosed the leak while recording", () => {
    expect(recordedJson?.verdict).toBe("leak");
    expect(recordedJson?.suspects[0].function).toBe("main.newSession");
  });

  test("a fixed window reports its time to verdict", () => {
    expect(recordedJson?.decision.mode).toBe("fixed");
    expect(recordedJson?.timeToVerdictSeconds).toBeGreaterThanOrEqual(recordedJson!.observation.spanSeconds);
  });

  test("--duration auto (the default) stops at the look where the leak holds, before the maximum", () => {
    expect(autoJson?.verdict).toBe("leak");
    expect(autoJson?.suspects[0].function).toBe("main.newSession");
    const decision = autoJson!.decision;
    expect(decision.mode).toBe("auto");
    expect(decision.look!.of).toBe(13);
    // Its share of α is the schedule's for that look (2.5 % for each look before 30 s, half at 30 s,
    // then growing with the time each later look adds).
    const schedule = lookSchedule(10, 300);
    expect(decision.look!.atSeconds).toBe(schedule.looksSeconds[decision.look!.index - 1]);
    expect(decision.look!.alphaShare).toBeCloseTo(schedule.alphaShares[decision.look!.index - 1], 9);
    expect(decision.look!.index).toBeLessThan(decision.look!.of);
    // It stopped early: far less than the 5-minute maximum was observed.
    expect(autoJson!.observation.spanSeconds).toBeLessThan(150);
    expect(autoJson!.timeToVerdictSeconds).toBeGreaterThanOrEqual(10);
  });

  test("diagnosing the kept recording gives the same verdict and suspect", async () => {
    const result = await runCli(["doctor", recording, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.verdict).toBe(recordedJson?.verdict);
    expect(report.suspects[0].function).toBe(recordedJson?.suspects[0].function);
    expect(report.observation.heapSnapshots).toBeGreaterThanOrEqual(10);
  });

  test("text output: verdict first, suspects, evidence", async () => {
    const result = await runCli(["doctor", recording]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^Verdict: LEAK/);
    expect(result.stdout.indexOf("Suspects")).toBeLessThan(result.stdout.indexOf("Evidence"));
    expect(result.stdout).toContain("where memory was allocated, not what still references it");
  });
});

describe("a launched program that runs out of memory", () => {
  test("the out-of-memory death is the strongest evidence: leak, with the growing site named", async () => {
    const runaway = await buildGoProgram(path.join(import.meta.dirname, "programs/runaway"));
    const port = await freePort();
    // A 3 GB address-space limit: the runtime dies with "fatal error: out of memory" after a few seconds.
    const result = await runCli(
      [
        "doctor",
        "--url",
        `http://127.0.0.1:${port}`,
        "--duration",
        "40s",
        "--json",
        "--",
        "sh",
        "-c",
        `ulimit -v 3000000; exec ${runaway} -addr 127.0.0.1:${port}`,
      ],
      { timeoutMs: 120_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.verdict).toBe("leak");
    expect(report.reasons[0]).toMatch(/out of memory/);
    expect(
      report.evidence.some(
        (e: { label: string; weight: string }) => e.label === "target exit" && e.weight === "leak",
      ),
    ).toBe(true);
    if (report.suspects.length > 0) expect(report.suspects[0].function).toBe("main.grab");
  });
});

describe("bad input: one line, exit 2", () => {
  const oneLine = (stderr: string) =>
    stderr.trim().split("\n").length === 1 && stderr.startsWith("heapscope: ");

  test("nothing to diagnose", async () => {
    const result = await runCli(["doctor"]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toBe(true);
  });

  test("a missing file", async () => {
    const result = await runCli(["doctor", path.join(work, "nope.pb.gz"), profileFiles[0], profileFiles[1]]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toBe(true);
    expect(result.stderr).toContain("nope.pb.gz");
  });

  test("binary junk", async () => {
    const junk = path.join(work, "junk.bin");
    writeFileSync(junk, Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 7) % 256)));
    const result = await runCli(["doctor", junk, junk, junk]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toBe(true);
  });

  test("a single profile cannot show growth", async () => {
    const result = await runCli(["doctor", profileFiles[0]]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/one heap profile cannot show growth/);
  });

  test("an unreachable URL", async () => {
    const port = await freePort();
    const result = await runCli(["doctor", "--url", `http://127.0.0.1:${port}`, "--duration", "5s"], {
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n").at(-1)).toMatch(/^heapscope: .*does not answer/);
  });

  test("a bad --fail-on value", async () => {
    const result = await runCli(["doctor", ...profileFiles.slice(0, 3), "--fail-on", "sometimes"]);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toBe(true);
  });
});

describe("demo", () => {
  test("--replay diagnoses the bundled recording of the leaky service and writes the HTML report", async () => {
    const html = path.join(work, "demo.html");
    const result = await runCli(["demo", "--replay", "--json", "--html", html], { timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.verdict).toBe("leak");
    expect(report.suspects[0].function).toBe("main.(*server).remember");
    expect(report.html).toBe(html);
    expect(existsSync(html)).toBe(true);
  });
});
