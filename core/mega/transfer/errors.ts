/** Typed transfer errors; they extend the core's `MegaError` so the n8n layer maps them like any other. */
import { MegaError, MEGA_ERRORS, type MegaErrorCause } from '../errors';

export type IntegrityFailure = 'mac-mismatch' | 'truncated' | 'bad-token';

export class TransferIntegrityError extends MegaError {
	readonly reason: IntegrityFailure;
	constructor(reason: IntegrityFailure, message: string) {
		super(message, {
			code: 'EINTEGRITY',
			cause: 'bad-request',
			hint:
				reason === 'mac-mismatch'
					? 'The downloaded data does not match the file\'s MAC: the file or its key is corrupt, or the server sent bad bytes. Try again; if it persists the stored file is damaged.'
					: 'The storage server kept sending incomplete data. Try again later.',
		});
		this.reason = reason;
	}
}

export class TransferQuotaError extends MegaError {
	/** Seconds until MEGA lets this IP/account transfer again. */
	readonly waitSeconds: number;
	constructor(waitSeconds: number) {
		super(`MEGA's transfer quota is exhausted; it can resume in about ${waitSeconds} seconds`, {
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
