import { abortableSleep, equalJitterDelay } from '../../core/retry-timing';

class TypedAbort extends Error {
	constructor(readonly reason: unknown) {
		super('aborted');
	}
}

describe('retry timing (core/retry-timing.ts)', () => {
	it('keeps the delay inside [ceiling/2, ceiling] with the ceiling capped', () => {
		expect(equalJitterDelay(0, 100, 1_000, () => 0)).toBe(50);
		expect(equalJitterDelay(2, 100, 1_000, () => 1)).toBe(400);
		expect(equalJitterDelay(10, 100, 1_000, () => 0)).toBe(500);
		expect(equalJitterDelay(10, 100, 1_000, () => 1)).toBe(1_000);
	});

	it('rejects at once with the typed error when the signal is already aborted', async () => {
		const controller = new AbortController();
		controller.abort('stop');
		const started = Date.now();
		await expect(abortableSleep(10_000, controller.signal, (reason) => new TypedAbort(reason))).rejects.toMatchObject({ reason: 'stop' });
		expect(Date.now() - started).toBeLessThan(1_000);
	});

	it('rejects as soon as the signal aborts, and resolves after the delay otherwise', async () => {
		const controller = new AbortController();
		const sleeping = abortableSleep(10_000, controller.signal, (reason) => new TypedAbort(reason));
		setTimeout(() => controller.abort('later'), 20);
		await expect(sleeping).rejects.toBeInstanceOf(TypedAbort);
		const started = Date.now();
		await abortableSleep(30, undefined, () => new Error('unused'));
		expect(Date.now() - started).toBeGreaterThanOrEqual(25);
	});
});
