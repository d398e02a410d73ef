// Where a test run's time went, printed at the end of .ci/run:
//
//   node scripts/test-timings.mjs PHASES.tsv... [--vitest REPORT.json]
//
// Each PHASES.tsv line is "name<TAB>milliseconds" (written by .ci/run and scripts/test.sh). The vitest
// report adds its test files' durations grouped by folder under test/, end-to-end suites by their
// area under test/e2e/ (worker time: two workers run
// files side by side, so the groups add up to more than vitest's wall time) and the slowest files.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const vitestAt = args.indexOf("--vitest");
const reportFile = vitestAt >= 0 ? args[vitestAt + 1] : undefined;
const phaseFiles = args.filter((a, i) => a !== "--vitest" && i !== vitestAt + 1);

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`.padStart(9);
const minutes = (ms) => `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;

const phases = [];
for (const file of phaseFiles) {
  if (!existsSync(file)) continue;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [name, ms] = line.split("\t");
    if (name && ms !== undefined) phases.push({ name, ms: Number(ms) });
  }
}

const lines = ["", "timing:"];
for (const { name, ms } of phases) lines.push(`  ${name.padEnd(40)}${seconds(ms)}`);
const total = phases.reduce((sum, p) => sum + p.ms, 0);

if (reportFile && existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  const files = (report.testResults ?? []).map((f) => ({
    name: path.relative(process.cwd(), f.name),
    ms: Math.max(0, (f.endTime ?? 0) - (f.startTime ?? 0)),
    tests: (f.assertionResults ?? []).length,
  }));
  const groups = new Map();
  for (const f of files) {
    const parts = f.name.split(path.sep);
    const depth = parts[0] === "test" && parts[1] === "e2e" ? 3 : 2;
    const group =
      parts[0] === "test" && parts.length > depth ? parts.slice(0, depth).join("/") : path.dirname(f.name);
    const g = groups.get(group) ?? { ms: 0, files: 0, tests: 0 };
    g.ms += f.ms;
    g.files++;
    g.tests += f.tests;
    groups.set(group, g);
  }
  lines.push("  vitest, by folder (worker time of its files; 2 workers run side by side):");
  for (const [group, g] of [...groups].sort((a, b) => b[1].ms - a[1].ms)) {
    lines.push(`    ${group.padEnd(38)}${seconds(g.ms)}  ${g.files} files, ${g.tests} tests`);
  }
  lines.push("  slowest test files:");
  for (const f of [...files].sort((a, b) => b.ms - a.ms).slice(0, 8)) {
    lines.push(`    ${f.name.padEnd(38)}${seconds(f.ms)}`);
  }
}
lines.push(`  ${"total".padEnd(40)}${seconds(total)}  (${minutes(total)})`);
console.log(lines.join("\n"));
