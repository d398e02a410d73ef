// Prints vitest's totals from its JSON report as the closing line CI reads: "N passed, N failed".
import { readFileSync } from "node:fs";

const file = process.argv[2];
try {
  const report = JSON.parse(readFileSync(file, "utf8"));
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
  process.exit(report.numFailedTests > 0 || report.numTotalTests === 0 ? 1 : 0);
} catch (error) {
  console.log(`test report ${file} unreadable: ${error.message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
