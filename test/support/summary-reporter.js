/**
 * Ends the run with one plain line, `tests: N passed, N failed[, N skipped]`, which CI reads whatever the
 * runner; jest's own summary stays above it.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
    // Printed at exit so it is the very last line, after jest's own summary on stderr.
    process.once('exit', () => process.stdout.write(`\n${line}\n`));
  }
}
module.exports = SummaryReporter;
