/** Typed transfer errors; they extend the core's `MegaError` so the n8n layer maps them like any other. */
import { MegaError, MEGA_ERRORS, type MegaErrorCause } from '../errors';

export type IntegrityFailure = 'mac-mismatch' | 'truncated' | 'bad-token';

const INTEGRITY_HINTS: Record<IntegrityFailure, string> = {
	'mac-mismatch':
		'Nothing corrupt was passed on. Run the download again; if it fails the same way every time, the stored file or its key is damaged (re-upload it if you have the original).',
	truncated:
		'Nothing incomplete was passed on. Run the download again later; if it stops at the same bytes every time, contact MEGA support with this message.',
	'bad-token': 'The file was not stored. Run the upload again.',
};

export class TransferIntegrityError extends MegaError {
	readonly reason: IntegrityFailure;
	constructor(reason: IntegrityFailure, message: string) {
		super(message, { code: 'EINTEGRITY', cause: 'bad-request', hint: INTEGRITY_HINTS[reason] });
		this.reason = reason;
	}
}

export class TransferQuotaError extends MegaError {
	/** Seconds until MEGA lets this IP/account transfer again. */
	readonly waitSeconds: number;
	constructor(waitSeconds: number) {
		super(`MEGA's transfer quota is exhausted; transfers can resume in about ${describeWait(waitSeconds)}`, {
			code: 'ETRANSFERQUOTA',
			cause: 'quota-exhausted',
			hint: 'Wait for the transfer quota to refill (free accounts get a quota per IP), or use a Pro account.',
		});
		this.waitSeconds = waitSeconds;
	}
}

export class UploadFailedError extends MegaError {
	/** The storage server's error number, or 0 when the failure was not a server code (e.g. an HTTP status). */
	readonly errno: number;
	constructor(errno: number, message: string, original?: unknown) {
		const info = MEGA_ERRORS[errno];
		const cause: MegaErrorCause = info?.cause ?? 'temporarily-unavailable';
		super(message, { code: 'EUPLOAD', cause, original, hint: info?.hint });
		this.errno = errno;
	}
}

export class NameConflictError extends MegaError {
	readonly handles: string[];
	constructor(name: string, handles: string[]) {
		super(`A file named "${name}" already exists in the target folder (handles ${handles.join(', ')})`, {
			code: 'EEXIST',
			cause: 'conflict',
			hint: 'Choose another conflict policy (keep both, new version, replace or skip) or another name.',
		});
		this.handles = handles;
	}
}

export class SizeMismatchError extends MegaError {
	constructor(expected: number, actual: number | string) {
		super(`The upload source delivered ${actual} bytes but its size was given as ${expected}`, {
			code: 'ESIZE',
			cause: 'bad-request',
			hint: 'Pass the exact size of the data, or omit it to let the upload measure the stream first.',
		});
	}
}

/** Internal signal: the upload URL is dead (-4, -8, 403/404); start again with a new URL and a re-opened source. */
export class UploadRestartError extends MegaError {
	constructor(message: string, original?: unknown) {
		super(message, { code: 'EUPLOADRESTART', cause: 'temporarily-unavailable', retryable: true, original });
	}
}

function plural(count: number, unit: string): string {
	return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** A wait for a person: "1 second", "45 seconds", "2 minutes", "1 hour 5 minutes" (rounded up to whole units). */
export function describeWait(seconds: number): string {
	const whole = Math.max(0, Math.ceil(seconds));
	if (whole < 60) return plural(whole, 'second');
	const minutes = Math.ceil(whole / 60);
	if (minutes < 60) return plural(minutes, 'minute');
	const hours = Math.floor(minutes / 60);
	const rest = minutes % 60;
	return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}
