/** Backoff shared by upload POSTs and download GETs: exponential with full jitter, capped, abortable. */
import { MegaAbortError, MegaError } from '../errors';

export function backoffMs(attempt: number, baseMs = 200, capMs = 8_000): number {
	const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
	return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(abortError(signal));
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortError(signal as AbortSignal));
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

export function abortError(signal: AbortSignal): Error {
	const reason: unknown = signal.reason;
	if (reason instanceof MegaError) return reason;
	return new MegaAbortError('The MEGA transfer was aborted', reason);
}

/** Network errors, idle timeouts and retryable MEGA errors are worth another attempt; aborts never are. */
export function isRetryable(error: unknown): boolean {
	return error instanceof MegaError && error.retryable && error.code !== 'EABORTED';
}

/** An internal controller (to stop sibling requests when one fails) whose signal also follows the caller's. */
export function innerAbort(outer?: AbortSignal): { controller: AbortController; signal: AbortSignal } {
	const controller = new AbortController();
	const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal;
	return { controller, signal };
}
