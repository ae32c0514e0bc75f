/** Retry timing shared by the MEGA API transport, MEGA transfers and S4 uploads. */

/**
 * Exponential backoff with "equal jitter": half of the capped ceiling fixed, half random, so concurrent clients
 * spread out but never retry instantly.
 */
export function equalJitterDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
	const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
	return ceiling / 2 + (ceiling / 2) * random();
}

/** Waits `ms`; rejects at once (already aborted) or as soon as `signal` aborts, with the caller's typed error. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined, abortError: (reason: unknown) => Error): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(abortError(signal.reason));
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortError(signal?.reason));
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
