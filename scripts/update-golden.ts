/**
 * Regenerates every golden report, so that a change to any generated sentence shows up as a diff to
 * review:
 * - doctor's (test/golden/doctor/doctor.<scenario>.<format>) from the stored recordings in
 *   test/golden/doctor/inputs/, recordings of corpus scenarios made once by `doctor --out`;
 * - the other commands' (test/golden/<command>.<scenario>.<format>: gctrace, memstats, goroutines,
 *   inspect, bench compare) from real inputs stored in the repository (test/golden/support/reports.ts
 *   lists them), run through the CLI in this process.
 * The reports are a pure function of the stored inputs.
 *
 *   npx tsx scripts/update-golden.ts                      # rewrite every golden report (npm run golden)
 *   npx tsx scripts/update-golden.ts --record SCENARIO... # re-record those doctor inputs first (runs them live)
 *   npx tsx scripts/update-golden.ts --record-inputs      # re-record test/golden/inputs first (runs them live)
 *
 * Recording builds the scenario with -trimpath, so the files named in its profiles are module paths
 * (example.com/catalog/main.go), the same on every checkout; the golden test reads their source from
 * the scenario folder. Held-out scenarios (truth.json heldOut) are never recorded.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import Database from "better-sqlite3";
import { main } from "../src/cli/main.js";
import {
  goldenCases,
  goldenDir,
  goldenInputsDir,
  renderGolden,
  scenarioDir,
} from "../test/golden/support/doctor.js";
import { recordInputs } from "../test/golden/support/record-inputs.js";
import { renderAllReports, reportsGoldenDir } from "../test/golden/support/reports.js";

/** 17 heap snapshots a second apart: enough for every rule, small enough to keep in the repository. */
const RECORD_SECONDS = 16;
const RECORD_INTERVAL = "1s";

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

async function record(scenario: string): Promise<void> {
  const dir = scenarioDir(scenario);
  const truth = JSON.parse(readFileSync(path.join(dir, "truth.json"), "utf8")) as { heldOut?: boolean };
  if (truth.heldOut)
    throw new Error(`${scenario} is held out: its runs are for measuring, not for golden inputs`);
  const binary = path.join(goldenInputsDir, `.${scenario}.bin`);
  execFileSync("go", ["build", "-trimpath", "-o", binary, "."], {
    cwd: dir,
    env: { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" },
    stdio: "inherit",
  });
  const port = await freePort();
  const out = path.join(goldenInputsDir, `${scenario}.hsrec`);
  rmSync(out, { force: true });
  const code = await main([
    process.execPath,
    "heapscope",
    "doctor",
    "--url",
    `http://127.0.0.1:${port}`,
    "--duration",
    `${RECORD_SECONDS}s`,
    "--interval",
    RECORD_INTERVAL,
    "--out",
    out,
    "--",
    binary,
    "-addr",
    `127.0.0.1:${port}`,
  ]);
  rmSync(binary, { force: true });
  const db = new Database(out);
  db.exec("VACUUM");
  db.close();
  process.stderr.write(
    `recorded ${scenario} (doctor exit ${code}) -> ${path.relative(process.cwd(), out)}\n`,
  );
}

const args = process.argv.slice(2);
if (args[0] === "--record") {
  mkdirSync(goldenInputsDir, { recursive: true });
  for (const scenario of args.slice(1)) await record(scenario);
  process.exitCode = 0;
} else if (args[0] === "--record-inputs") {
  await recordInputs();
} else if (args.length > 0) {
  process.stderr.write(`update-golden: unknown arguments ${args.join(" ")} (see the comment at its top)\n`);
  process.exit(2);
}
mkdirSync(goldenDir, { recursive: true });
for (const golden of goldenCases()) {
  for (const [file, text] of renderGolden(golden)) {
    writeFileSync(path.join(goldenDir, file), text);
    process.stdout.write(`wrote test/golden/doctor/${file}\n`);
  }
}
mkdirSync(reportsGoldenDir, { recursive: true });
for (const [file, text] of await renderAllReports()) {
  writeFileSync(path.join(reportsGoldenDir, file), text);
  process.stdout.write(`wrote test/golden/${file}\n`);
}
