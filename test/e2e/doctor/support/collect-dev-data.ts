/**
 * Development aid (not a test): runs corpus scenarios and saves scraped runs under
 * test/.work/doctor-data/<scenario>/<run>/ so the diagnosis core can be iterated on real data.
 * Usage: npx tsx test/e2e/doctor/support/collect-dev-data.ts [--seconds 20] [--runs 1] [scenario...]
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import {
  buildGoProgram,
  freePort,
  repoRoot,
  startProgram,
  waitForHttp,
  workDir,
} from "../../../support/go.js";
import { saveRun, scrape } from "./scrape.js";

const args = process.argv.slice(2);
let seconds = 20;
let runs = 1;
let intervalMs = 1000;
let rate = "16384";
let tag = "";
const names: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--seconds") seconds = Number(args[++i]);
  else if (args[i] === "--runs") runs = Number(args[++i]);
  else if (args[i] === "--interval") intervalMs = Number(args[++i]);
  else if (args[i] === "--rate") rate = args[++i];
  else if (args[i] === "--tag") tag = args[++i];
  else names.push(args[i]);
}
const scenarioRoot = path.join(repoRoot, "test/e2e/doctor/scenarios");
const all = readdirSync(scenarioRoot);
for (const name of names.length > 0 ? names : all) {
  const binary = await buildGoProgram(path.join(scenarioRoot, name));
  for (let r = 0; r < runs; r++) {
    const port = await freePort();
    const program = startProgram(binary, ["-addr", `127.0.0.1:${port}`], {
      GODEBUG: rate === "default" ? "gctrace=1" : `gctrace=1,memprofilerate=${rate}`,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/debug/vars`, 60_000);
      const run = await scrape(`http://127.0.0.1:${port}`, {
        durationMs: seconds * 1000,
        intervalMs,
        pid: program.child.pid,
      });
      const dir = path.join(workDir, "doctor-data", name, `${tag}${r}`);
      saveRun(run, dir);
      const { writeFileSync } = await import("node:fs");
      writeFileSync(path.join(dir, "stderr.txt"), program.stderr());
      process.stdout.write(`${name} run ${r}: ${run.ticks.length} ticks -> ${dir}\n`);
    } finally {
      await program.stop();
    }
  }
}
