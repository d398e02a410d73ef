// The closing line CI reads, "N passed, N failed, N skipped", from vitest's JSON report:
//
//   node scripts/count-tests.mjs REPORT.json [--full]
//
// vitest reports the tests of a file whose setup failed (a beforeAll that threw, an import that
// failed) as skipped, so a missing tool would read "0 failed, 19 skipped". Here every test of a
// failed file that did not pass counts as failed (the JSON report cannot tell a skip caused by the
// failure from a deliberate one), and a failed file with no test counted failed counts as 1.
// A run vitest itself calls failed (an unhandled error outside any test) counts 1 failed at least.
// Under CI=true a skipped test in a required suite (test/required-suites.json) is a failure too;
// with --full (the whole suite was run) so is a required suite missing from the report.
// Exit status: 1 when anything failed or no test ran.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function inCi(env = process.env) {
  const value = env.CI;
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

export function loadRequiredSuites(root = repoRoot) {
  const list = JSON.parse(readFileSync(path.join(root, "test/required-suites.json"), "utf8"));
  return new Set(Object.keys(list.suites));
}

const firstLine = (text) => (text ?? "").trim().split("\n")[0] ?? "";

/**
 * Counts a vitest JSON report. Returns the totals and the lines that explain them (printed before
 * the closing line).
 */
export function countReport(
  report,
  { required = new Set(), ci = false, full = false, root = repoRoot } = {},
) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const notes = [];
  const seen = new Set();
  for (const file of report.testResults ?? []) {
    const name = path.relative(root, file.name);
    seen.add(name);
    const fileFailed = file.status === "failed";
    const isRequired = required.has(name);
    let failedHere = 0;
    let skippedHere = 0;
    let failedSkips = 0;
    for (const test of file.assertionResults ?? []) {
      if (test.status === "passed") passed++;
      else if (test.status === "failed") failedHere++;
      else if (fileFailed || (ci && isRequired)) failedSkips++;
      else skippedHere++;
    }
    if (fileFailed && failedHere + failedSkips === 0) failedHere = 1;
    failed += failedHere + failedSkips;
    skipped += skippedHere;
    if (fileFailed) {
      const why = firstLine(file.message) || "a test or a hook failed";
      const counted = failedSkips > 0 ? ` (${failedSkips} skipped test(s) counted as failed)` : "";
      notes.push(`failed: ${name}: ${why}${counted}`);
    } else if (failedSkips > 0) {
      notes.push(`failed: ${name}: ${failedSkips} test(s) skipped in a required suite under CI=true`);
    } else if (isRequired && skippedHere > 0) {
      notes.push(`required suite skipped ${skippedHere} test(s) (CI=true fails this): ${name}`);
    }
  }
  if (ci && full) {
    for (const name of [...required].sort()) {
      if (seen.has(name)) continue;
      failed++;
      notes.push(`failed: ${name}: a required suite that did not run`);
    }
  }
  if (report.success === false && failed === 0) {
    // e.g. an unhandled error or rejection outside any test: vitest fails the run, no test shows it.
    failed = 1;
    notes.push("failed: vitest reported the run as failed outside any test (see its output above)");
  }
  if (passed + failed + skipped === 0) notes.push("no test ran");
  const ok = failed === 0 && passed + skipped > 0;
  return { passed, failed, skipped, notes, ok };
}

function main() {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith("--"));
  const full = args.includes("--full");
  let report;
  try {
    report = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.log(`test report ${file} unreadable: ${error.message}`);
    console.log("0 passed, 1 failed, 0 skipped");
    process.exit(1);
  }
  const result = countReport(report, { required: loadRequiredSuites(), ci: inCi(), full });
  for (const note of result.notes) console.log(note);
  // A run that ended before any file finished (a start-up error) has failed even with no count.
  const failed = result.ok ? result.failed : Math.max(result.failed, 1);
  console.log(`${result.passed} passed, ${failed} failed, ${result.skipped} skipped`);
  process.exit(result.ok ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
