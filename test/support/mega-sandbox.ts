/** The MEGA sandbox set-up that core integration test files share. */
import { startMegaSandbox, type MegaSandbox } from '../../sandbox/mega';

/** Client retry settings for sandbox tests: real back-off shape, millisecond delays. */
export const fastRetry = { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 6, maxTotalMs: 10_000 };

/**
 * One sandbox for the calling test file: started before its tests (handed to `onStart`), faults cleared after each
 * test, closed after all of them.
 */
export function useMegaSandbox(onStart: (sandbox: MegaSandbox) => void): void {
	let sandbox: MegaSandbox | undefined;
	beforeAll(async () => {
		sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 1_000 });
		onStart(sandbox);
	});
	afterAll(async () => {
		await sandbox?.close();
	});
	afterEach(() => {
		sandbox?.faults.clear();
	});
}
