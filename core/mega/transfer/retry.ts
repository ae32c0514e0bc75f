/** Backoff shared by upload POSTs and download GETs: exponential with equal jitter, capped, abortable. */
import { abortableSleep, equalJitterDelay } from '../../retry-timing';
import { MegaAbortError, MegaError } from '../errors';

export function backoffMs(attempt: number, baseMs = 200, capMs = 8_000): number {
	return equalJitterDelay(attempt, baseMs, capMs);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return abortableSleep(ms, signal, () => abortError(signal as AbortSignal));
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
