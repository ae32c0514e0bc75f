/**
 * Runs the MEGA sandbox in its own process for the benchmarks, so the server's work runs on the other core instead
 * of sharing the client's event loop. Prints one JSON line `{gateway, controlUrl}` and runs until stdin closes.
 * Usage: node --import tsx bench/sandbox-process.ts [--data-dir DIR]
 */
import { startMegaSandbox } from '../sandbox/mega';

async function main(): Promise<void> {
	const dirFlag = process.argv.indexOf('--data-dir');
	const sandbox = await startMegaSandbox({ port: 0, dataDir: dirFlag > 0 ? process.argv[dirFlag + 1] : undefined });
	process.stdout.write(`${JSON.stringify({ gateway: sandbox.gateway, controlUrl: sandbox.controlUrl })}\n`);
	const stop = () => {
		void sandbox.close().finally(() => process.exit(0));
	};
	process.stdin.on('end', stop);
	process.stdin.on('close', stop);
	process.stdin.resume();
	process.on('SIGTERM', stop);
}

void main();
