/**
 * A benchmark file run again as a child process in its `--serve` mode, so a sandbox's work lands on the other core
 * instead of the measured event loop. The child prints one JSON line when ready and stops when its stdin ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Starts `file --serve <argument>`; resolves with the child's JSON line and `close()` (SIGKILL after 5 s). */
export async function serveInChild<T extends object>(file: string, argument: string, what: string): Promise<T & { close(): Promise<void> }> {
	const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file, '--serve', argument], {
		stdio: ['pipe', 'pipe', 'inherit'],
		cwd: `${__dirname}/..`,
	});
	const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
	const first = await new Promise<string>((resolve, reject) => {
		lines.once('line', resolve);
		child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
	});
	return {
		...(JSON.parse(first) as T),
		close: async () => {
			if (child.exitCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.stdin?.end();
			const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
		},
	};
}

/** The child side: prints `ready` as its one JSON line, then closes the sandbox and exits once the parent ends stdin. */
export function serveUntilStdinEnds(sandbox: { close(): Promise<void> }, ready: object): void {
	process.stdout.write(`${JSON.stringify(ready)}\n`);
	const stop = () => {
		void sandbox.close().finally(() => process.exit(0));
	};
	process.stdin.on('end', stop);
	process.stdin.on('close', stop);
	process.stdin.resume();
}
