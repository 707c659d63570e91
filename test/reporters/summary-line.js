/**
 * Prints jest's own counts as a plain last line, `N passed, N failed[, N skipped]`, so that CI logs
 * show at a glance whether tests ran at all. Written at exit, after jest's own summary.
 */
class SummaryLineReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
    process.once('exit', () => process.stdout.write(`\n${line}\n`));
  }
}
module.exports = SummaryLineReporter;
