// Closing line of the suite: "N passed, N failed". With --vitest, a gate run
// right after Vitest: it fails when any test file failed (Vitest 4 exits 0
// when a file's beforeAll throws and its tests are only marked skipped) or
// when any test was skipped: no skipped test is left behind.
import { existsSync, readFileSync } from "node:fs";

const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null);
const vitest = read("test-results/vitest.json");

if (process.argv.includes("--vitest")) {
  if (!vitest) {
    console.error("Vitest wrote no results.");
    process.exit(1);
  }
  const problems = [];
  for (const file of vitest.testResults) {
    if (file.status === "failed") problems.push(`${file.name}: ${file.message || "failed"}`);
    for (const test of file.assertionResults) {
      if (test.status !== "passed") problems.push(`${file.name} › ${test.title}: ${test.status}`);
    }
  }
  if (!vitest.success || problems.length) {
    console.error(`\nVitest: ${problems.length} problem(s):\n- ${problems.join("\n- ")}`);
    process.exit(1);
  }
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests + vitest.numFailedTestSuites;
  skipped += vitest.numPendingTests + vitest.numTodoTests;
}
const playwright = read("test-results/playwright.json");
if (!vitest || !playwright) {
  // A run cut short (a hung teardown, a killed process) writes no report: that is a failure, never a pass.
  console.error(
    `\n${!vitest ? "Vitest" : "Playwright"} wrote no results: its run did not finish. See the output above.`,
  );
  process.exit(1);
}
if (playwright) {
  const p = playwright.stats;
  passed += p.expected + p.flaky;
  failed += p.unexpected;
  skipped += p.skipped;
}
printSlowest(vitest, playwright);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || skipped > 0 ? 1 : 0);

/** The ten slowest test files of the run (Vitest and Playwright together), to keep the suite fast. */
function printSlowest(vitestReport, playwrightReport) {
  const files = new Map();
  const add = (file, ms) => files.set(file, (files.get(file) ?? 0) + ms);
  const root = process.cwd() + "/";
  for (const file of vitestReport.testResults) add(file.name.replace(root, ""), file.endTime - file.startTime);
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? [])
        for (const result of test.results ?? []) add(`e2e/${spec.file}`, result.duration);
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of playwrightReport.suites ?? []) walk(suite);
  const slowest = [...files].sort((a, b) => b[1] - a[1]).slice(0, 10);
  console.log("\nThe ten slowest test files:");
  for (const [file, ms] of slowest) console.log(`${(ms / 1000).toFixed(1).padStart(8)} s  ${file}`);
}
