/**
 * Fails the run when any test was skipped, left as todo, or focused (a focused test makes the others "pending").
 * A suite that skips itself into green is a failure here, not a success.
 */
class StrictReporter {
	onRunComplete(_contexts, results) {
		const skipped = results.numPendingTests + results.numTodoTests;
		if (skipped > 0) {
			const names = [];
			for (const file of results.testResults) {
				for (const t of file.testResults) {
					if (t.status === 'pending' || t.status === 'todo' || t.status === 'skipped') names.push(`${file.testFilePath}: ${t.fullName}`);
				}
			}
			process.stderr.write(`\nstrict-reporter: ${skipped} skipped/todo/focused-away test(s) — this run fails.\n  ${names.join('\n  ')}\n`);
			results.success = false;
			process.exitCode = 1;
		}
	}
	getLastError() {
		return process.exitCode === 1 ? new Error('skipped or focused tests present') : undefined;
	}
}
module.exports = StrictReporter;
