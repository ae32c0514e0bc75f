/**
 * Typed errors for the MEGA core. Every MEGA error number becomes a `MegaApiError` with a symbolic name,
 * a sentence a user understands, whether retrying can help, and a cause category the n8n layer maps to `failure`.
 * Messages never contain secrets (passwords, keys, session ids).
 */

export type MegaErrorCause =
	| 'credential-invalid'
	| 'rate-limited'
	| 'quota-exhausted'
	| 'not-found'
	| 'access-denied'
	| 'conflict'
	| 'temporarily-unavailable'
	| 'bad-request';

export interface MegaErrorOptions {
	code: string;
	cause: MegaErrorCause;
	retryable?: boolean;
	hint?: string;
	original?: unknown;
}

export class MegaError extends Error {
	readonly code: string;
	/** The category of the failure (not an error chain; see `original`). */
	declare readonly cause: MegaErrorCause;
	readonly retryable: boolean;
	readonly hint?: string;
	readonly original?: unknown;
	/** The user's operation this happened in (`downloading "/Reports/q4.pdf"`), once named. */
	operation?: string;

	constructor(message: string, options: MegaErrorOptions) {
		super(message);
		this.name = new.target.name;
		this.code = options.code;
		Object.defineProperty(this, 'cause', { value: options.cause, enumerable: true, writable: false });
		this.retryable = options.retryable ?? false;
		this.hint = options.hint;
		this.original = options.original;
	}

	/**
	 * Names the user's operation in the message, and puts in a hint that fits what was being done. The innermost
	 * operation wins (an upload's inner "moving to the rubbish bin" stays named as such).
	 */
	withinOperation(operation: string, hint?: string): this {
		if (this.operation !== undefined) return this;
		this.message = this.describeWithin(operation);
		this.operation = operation;
		if (hint) (this as { hint?: string }).hint = hint;
		return this;
	}

	/**
	 * The request this error ended may have been applied already (its reply was lost before the error): say so, so the
	 * change is not repeated blindly.
	 */
	markMaybeApplied(): this {
		if (this.maybeApplied) return this;
		this.maybeApplied = true;
		const check = 'The change may already have been made at MEGA: check the item before running it again.';
		(this as { hint?: string }).hint = this.hint ? `${this.hint} ${check}` : check;
		return this;
	}

	/** True when the failed request may nevertheless have been applied (see markMaybeApplied). */
	maybeApplied?: boolean;

	/** The message with the operation named in it. */
	describeWithin(operation: string): string {
		return `${this.message} (while ${operation})`;
	}
}

interface MegaErrorInfo {
	name: string;
	message: string;
	cause: MegaErrorCause;
	retryable: boolean;
	hint?: string;
}

export const MEGA_ERRORS: Readonly<Record<number, MegaErrorInfo>> = {
	[-1]: {
		name: 'EINTERNAL',
		message: 'MEGA reported an internal error',
		cause: 'temporarily-unavailable',
		retryable: false,
		hint: 'Try again later; if it keeps happening the request may be malformed.',
	},
	[-2]: { name: 'EARGS', message: 'MEGA rejected the request arguments', cause: 'bad-request', retryable: false },
	[-3]: {
		name: 'EAGAIN',
		message: 'MEGA is temporarily busy and asked to retry',
		cause: 'temporarily-unavailable',
		retryable: true,
		hint: 'Retry in a little while.',
	},
	[-4]: {
		name: 'ERATELIMIT',
		message: 'Too many requests to MEGA; it asked to slow down',
		cause: 'rate-limited',
		retryable: true,
		hint: 'Send fewer requests at once, or wait a minute.',
	},
	[-5]: { name: 'EFAILED', message: 'The MEGA operation failed', cause: 'bad-request', retryable: false },
	[-6]: {
		name: 'ETOOMANY',
		message: 'Too many of something at MEGA (login attempts, connections or pending changes)',
		cause: 'rate-limited',
		retryable: false,
		hint: 'Wait before trying again; repeated logins can get an account limited for an hour.',
	},
	[-7]: { name: 'ERANGE', message: 'A value sent to MEGA was out of range', cause: 'bad-request', retryable: false },
	[-8]: {
		name: 'EEXPIRED',
		message: 'The resource has expired',
		cause: 'not-found',
		retryable: false,
		hint: 'Create a new link or request; for a login this means the account needs the current login method.',
	},
	[-9]: { name: 'ENOENT', message: 'Not found at MEGA', cause: 'not-found', retryable: false },
	[-10]: {
		name: 'ECIRCULAR',
		message: 'The operation would create a circular structure (e.g. moving a folder into itself)',
		cause: 'bad-request',
		retryable: false,
	},
	[-11]: {
		name: 'EACCESS',
		message: 'Access denied by MEGA',
		cause: 'access-denied',
		retryable: false,
		hint: 'Check that the account may change this item (shares can be read-only; some features need a Pro plan).',
	},
	[-12]: { name: 'EEXIST', message: 'It already exists at MEGA', cause: 'conflict', retryable: false },
	[-13]: { name: 'EINCOMPLETE', message: 'The request or resource is incomplete', cause: 'bad-request', retryable: false },
	[-14]: {
		name: 'EKEY',
		message: 'A cryptographic key was wrong or the data failed an integrity check',
		cause: 'bad-request',
		retryable: false,
	},
	[-15]: {
		name: 'ESID',
		message: 'The MEGA session is invalid or has expired',
		cause: 'credential-invalid',
		retryable: false,
		hint: 'Log in again (or export a fresh session string with mega-session).',
	},
	[-16]: {
		name: 'EBLOCKED',
		message: 'Blocked by MEGA (the account is suspended or the link was taken down)',
		cause: 'access-denied',
		retryable: false,
	},
	[-17]: {
		name: 'EOVERQUOTA',
		message: 'The MEGA storage or transfer quota is exceeded',
		cause: 'quota-exhausted',
		retryable: false,
		hint: 'Free up space, wait for the transfer quota to refill, or upgrade the plan.',
	},
	[-18]: {
		name: 'ETEMPUNAVAIL',
		message: 'The resource is temporarily unavailable at MEGA',
		cause: 'temporarily-unavailable',
		retryable: true,
		hint: 'Try again later.',
	},
	[-19]: {
		name: 'ETOOMANYCONNECTIONS',
		message: 'Too many connections to this MEGA resource',
		cause: 'rate-limited',
		retryable: true,
	},
	[-20]: { name: 'EWRITE', message: 'Writing the data failed', cause: 'temporarily-unavailable', retryable: false },
	[-21]: { name: 'EREAD', message: 'Reading the data failed', cause: 'temporarily-unavailable', retryable: false },
	[-22]: { name: 'EAPPKEY', message: 'MEGA rejected the application key', cause: 'bad-request', retryable: false },
	[-23]: { name: 'ESSL', message: 'The secure connection to MEGA failed', cause: 'temporarily-unavailable', retryable: false },
	[-24]: {
		name: 'EGOINGOVERQUOTA',
		message: 'There is not enough MEGA storage quota for this operation',
		cause: 'quota-exhausted',
		retryable: false,
		hint: 'Free up space or upgrade the plan.',
	},
	[-25]: {
		name: 'EROLLEDBACK',
		message: 'The operation was rolled back because another command in the same batch failed',
		cause: 'conflict',
		retryable: false,
	},
	[-26]: {
		name: 'EMFAREQUIRED',
		message: 'This MEGA account has two-factor authentication: a 2FA code is required',
		cause: 'credential-invalid',
		retryable: false,
		hint: 'Add the TOTP secret to the credential, or give a current 6-digit code.',
	},
	[-27]: { name: 'EMASTERONLY', message: 'Only the business account administrator may do this', cause: 'access-denied', retryable: false },
	[-28]: { name: 'EBUSINESSPASTDUE', message: 'The MEGA business account has expired', cause: 'access-denied', retryable: false },
	[-29]: {
		name: 'EPAYWALL',
		message: 'The MEGA account is over its storage quota and restricted',
		cause: 'quota-exhausted',
		retryable: false,
	},
	[-30]: { name: 'ESUBUSERKEYMISSING', message: 'A business sub-user key is missing', cause: 'access-denied', retryable: false },
};

export class MegaApiError extends MegaError {
	/** MEGA's own error number (negative). */
	readonly errno: number;
	/** Extra fields of the `{err, u, l}` form, or the context command. */
	readonly details?: Readonly<Record<string, unknown>>;
	/** What the error number means, without the code. */
	readonly summary: string;
	/** The MEGA command that answered (support wants it; a user wants the operation). */
	readonly command?: string;

	constructor(errno: number, details?: Record<string, unknown>, context?: string) {
		const info: MegaErrorInfo = MEGA_ERRORS[errno] ?? {
			name: `E${Math.abs(errno)}`,
			message: `MEGA returned error ${errno}`,
			cause: 'bad-request',
			retryable: false,
		};
		const where = context ? ` (${context})` : '';
		super(`${info.message}${where} [${info.name} ${errno}]`, {
			code: info.name,
			cause: info.cause,
			retryable: info.retryable,
			hint: info.hint,
		});
		this.errno = errno;
		this.details = details;
		this.summary = info.message;
		this.command = context;
	}

	override describeWithin(operation: string): string {
		return `${this.summary} while ${operation} [${this.code} ${this.errno}${this.command ? `, command ${this.command}` : ''}]`;
	}
}

export function errorFromCode(errno: number, details?: Record<string, unknown>, context?: string): MegaApiError {
	return new MegaApiError(errno, details, context);
}

/** A reply element that is a negative number or `{err: n, ...}` is an error; anything else is a result. */
export function errorFromReply(value: unknown, context?: string): MegaApiError | undefined {
	if (typeof value === 'number' && Number.isInteger(value) && value < 0) return new MegaApiError(value, undefined, context);
	if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
		const record = value as Record<string, unknown>;
		if (typeof record.err === 'number' && record.err < 0) {
			const { err, ...rest } = record;
			return new MegaApiError(err as number, rest, context);
		}
	}
	return undefined;
}

export class MegaNetworkError extends MegaError {
	constructor(message: string, original?: unknown) {
		super(message, { code: 'ENETWORK', cause: 'temporarily-unavailable', retryable: true, original });
	}
}

export class MegaTimeoutError extends MegaError {
	constructor(message: string) {
		super(message, { code: 'ETIMEOUT', cause: 'temporarily-unavailable', retryable: true });
	}
}

export class MegaAbortError extends MegaError {
	constructor(message = 'The MEGA request was aborted', original?: unknown) {
		super(message, { code: 'EABORTED', cause: 'temporarily-unavailable', retryable: false, original });
	}
}

export class MegaHttpError extends MegaError {
	readonly status: number;
	constructor(status: number, message: string) {
		const retryable = status >= 500 || status === 429;
		super(message, {
			code: `HTTP${status}`,
			cause: status === 429 ? 'rate-limited' : status >= 500 ? 'temporarily-unavailable' : 'bad-request',
			retryable,
		});
		this.status = status;
	}
}

export class MegaRetryExhaustedError extends MegaError {
	readonly attempts: number;
	constructor(last: MegaError, attempts: number) {
		super(`${last.message}; gave up after ${attempts} attempts`, {
			code: last.code,
			cause: last.cause,
			retryable: false,
			hint: last.hint ?? 'MEGA stayed busy; try again later.',
			original: last,
		});
		this.attempts = attempts;
	}

	override describeWithin(operation: string): string {
		const last = this.original instanceof MegaError ? this.original.describeWithin(operation) : `${this.message} (while ${operation})`;
		return `${last}; gave up after ${this.attempts} attempts`;
	}
}

/**
 * A change whose reply was lost while the session ended, and whose outcome MEGA's change feed could not tell (the feed
 * no longer reached back far enough). Not retryable as such: resending might apply it twice.
 */
export class MegaWriteOutcomeUnknownError extends MegaError {
	readonly commands: string[];
	constructor(commands: string[]) {
		super('The connection to MEGA was lost during a change and the session ended; MEGA may or may not have applied the change', {
			code: 'EUNKNOWNOUTCOME',
			cause: 'temporarily-unavailable',
			retryable: false,
			hint: 'Check the item in MEGA before trying again, so the change is not made twice.',
		});
		this.commands = commands;
	}

	override describeWithin(operation: string): string {
		return `The connection to MEGA was lost while ${operation} and the session ended; MEGA may or may not have applied the change`;
	}
}

export class MegaNotFoundError extends MegaError {
	constructor(message: string, hint?: string) {
		super(message, { code: 'EPATH', cause: 'not-found', hint });
	}
}

export class MegaAmbiguousPathError extends MegaError {
	readonly path: string;
	readonly handles: string[];
	constructor(path: string, handles: string[]) {
		super(`The path "${path}" is ambiguous: ${handles.length} items have that name (handles ${handles.join(', ')})`, {
			code: 'EAMBIGUOUS',
			cause: 'conflict',
			hint: 'Use a handle (ID) instead of a path, or rename the duplicates.',
		});
		this.path = path;
		this.handles = handles;
	}
}

export type MegaLinkErrorCode = 'ELINK' | 'ELINKKEY' | 'ELINKPASSWORD';

export class MegaLinkError extends MegaError {
	constructor(message: string, code: MegaLinkErrorCode = 'ELINK', hint?: string) {
		super(message, { code, cause: code === 'ELINKPASSWORD' ? 'credential-invalid' : 'bad-request', hint });
	}
}

export class MegaInvalidOperationError extends MegaError {
	constructor(message: string, code = 'EINVALID', hint?: string) {
		super(message, { code, cause: 'bad-request', hint });
	}
}

export class MegaCredentialError extends MegaError {
	constructor(message: string, code = 'ECREDENTIAL', hint?: string) {
		super(message, { code, cause: 'credential-invalid', hint });
	}
}

export class MegaProtocolError extends MegaError {
	constructor(message: string, retryable = false) {
		super(message, { code: 'EPROTOCOL', cause: 'temporarily-unavailable', retryable });
	}
}

/**
 * An own shared folder whose share key this client cannot know: MEGA's apps write a dummy zero `ok`/`ha` and keep
 * the real key in the account's `^!keys` attribute. A link or a `cr` made with any other key would not open its files.
 */
export class MegaShareKeyUnknownError extends MegaError {
	readonly handle: string;
	constructor(handle: string, path: string) {
		super(
			`The folder "${path}" is already shared by a MEGA app, which keeps its share key where this client cannot read it, so a link to it cannot be made here`,
			{
				code: 'ESHAREKEY',
				cause: 'conflict',
				hint: 'Copy the folder link in the MEGA app or on mega.nz, or stop sharing the folder there and create the link here again.',
			},
		);
		this.handle = handle;
	}
}
