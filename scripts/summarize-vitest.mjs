// Prints the closing "N passed, N failed, N skipped" line from Vitest's JSON report, or from several (one per run,
// e.g. .ci/run's unit runs on each Node line and the whole suite): then each run gets its own line first, labelled
// with its file name, and the closing line sums them.
// A suite that ran no test, or skipped one, is reported as such: skipped tests never count as passed; a missing
// report (a runner that died) counts as a failure, and so does a run that passed no test.
// Every failed test (and every file that failed outside a test) is named after the closing line, with the first line of
// its error, so the tail of a CI log says what failed even when the runner's own output was cut.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/summarize-vitest.mjs REPORT.json...');
  process.exit(2);
}
const total = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
let bad = false;
const firstLine = (text) =>
  String(text ?? '')
    .split('\n')
    .find((line) => line.trim() !== '') ?? '';
for (const file of files) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    console.error(`no test report at ${file}: the runner did not finish`);
    if (files.length > 1) console.log(`${path.basename(file, '.json')}: no report (counted as 1 failed)`);
    total.failed += 1;
    bad = true;
    continue;
  }
  const passed = report.numPassedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const run = path.basename(file, '.json');
  // A failed test counts once; a file counts on its own only when it failed outside its tests (an import, a hook).
  let failed = report.numFailedTests ?? 0;
  for (const result of report.testResults ?? []) {
    const where = path.relative(process.cwd(), result.name ?? '');
    const failedTests = (result.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failedTests) {
      failures.push(`${run}: ${where} > ${test.fullName ?? test.title}: ${firstLine(test.failureMessages?.[0])}`);
    }
    if (result.status === 'failed' && failedTests.length === 0) {
      failed += 1;
      failures.push(`${run}: ${where}: ${firstLine(result.message)}`);
    }
  }
  if (files.length > 1) console.log(`${path.basename(file, '.json')}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  total.passed += passed;
  total.failed += failed;
  total.skipped += skipped;
  if (passed === 0 || failed > 0) bad = true;
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
for (const failure of failures) console.log(`FAILED ${failure.slice(0, 400)}`);
if (bad) process.exit(1);
