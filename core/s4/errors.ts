/**
 * Typed errors for MEGA S4. The shape matches core/mega's `MegaError` (`code`, `cause` = category, `retryable`, `hint`,
 * `original`), so nodes/shared maps both the same way: `cause` is a category, not an Error chain; the underlying
 * error is kept in `original`.
 */

export type S4ErrorCause =
	| 'credential-invalid'
	| 'rate-limited'
	| 'quota-exhausted'
	| 'temporarily-unavailable'
	| 'not-found'
	| 'access-denied'
	| 'conflict'
	| 'bad-request'
	| 'invalid-input';

export interface S4ErrorOptions {
	code: string;
	cause: S4ErrorCause;
	retryable?: boolean;
	hint?: string;
	httpStatus?: number;
	requestId?: string;
	original?: unknown;
}

export class S4Error extends Error {
	readonly code: string;
	/** The category of the failure (maps to n8n's `failure`); not an Error chain, see `original`. */
	declare readonly cause: S4ErrorCause;
	readonly retryable: boolean;
	/** How to fix it, in plain words. */
	readonly hint?: string;
	readonly httpStatus?: number;
	readonly requestId?: string;
	readonly original?: unknown;
	/** True when the input was refused locally, before any request. */
	readonly input: boolean = false;

	constructor(message: string, options: S4ErrorOptions) {
		super(message);
		this.name = 'S4Error';
		this.code = options.code;
		Object.defineProperty(this, 'cause', { value: options.cause, enumerable: true, writable: false });
		this.retryable = options.retryable ?? false;
		this.hint = options.hint;
		this.httpStatus = options.httpStatus;
		this.requestId = options.requestId;
		this.original = options.original;
	}
}

/** Input refused before any request: a bad expiry, a bad range, a move onto itself... */
export class S4InputError extends S4Error {
	override readonly input = true;
	/** A short identifier of the rule that was broken, e.g. `presign-expiry-max`. */
	readonly rule: string;

	constructor(message: string, rule: string, hint?: string) {
		super(message, { code: 'InvalidInput', cause: 'invalid-input', hint });
		this.name = 'S4InputError';
		this.rule = rule;
	}
}

/** A bucket name or object key that S4 would refuse (s4.md §1.3); the message names the rule. */
export class S4NameError extends S4InputError {
	readonly subject: 'bucket' | 'key';
	readonly value: string;

	constructor(subject: 'bucket' | 'key', value: string, rule: string, message: string, hint?: string) {
		super(message, rule, hint);
		this.name = 'S4NameError';
		this.subject = subject;
		this.value = value;
	}
}

/** An error answer from the S4 server (S3 XML `<Code>`). */
export class S4ServiceError extends S4Error {
	constructor(message: string, options: S4ErrorOptions) {
		super(message, options);
		this.name = 'S4ServiceError';
	}
}

/** The endpoint could not be reached, or the connection broke. */
export class S4NetworkError extends S4Error {
	constructor(message: string, options: Omit<S4ErrorOptions, 'cause' | 'code'> & { code?: string }) {
		super(message, { ...options, code: options.code ?? 'NetworkError', cause: 'temporarily-unavailable', retryable: true });
		this.name = 'S4NetworkError';
	}
}

/** The operation was cancelled through its AbortSignal. */
export class S4AbortError extends S4Error {
	constructor(message = 'The S4 operation was cancelled', original?: unknown) {
		super(message, { code: 'Aborted', cause: 'bad-request', original });
		this.name = 'S4AbortError';
	}
}

export interface ErrorContext {
	bucket?: string;
	key?: string;
	endpoint?: string;
	/** What we were doing, e.g. "upload", "list objects". */
	operation?: string;
}

const PRO_PLAN = 'MEGA S4 needs an active MEGA Pro plan; keys stop working when the plan ends.';

interface CodeInfo {
	cause: S4ErrorCause;
	retryable?: boolean;
	message: (ctx: ErrorContext) => string;
	hint?: (ctx: ErrorContext) => string;
}

const where = (ctx: ErrorContext) =>
	ctx.key !== undefined && ctx.bucket !== undefined ? `"${ctx.key}" in bucket "${ctx.bucket}"` : ctx.bucket !== undefined ? `bucket "${ctx.bucket}"` : 'the request';

const CODES: Record<string, CodeInfo> = {
	InvalidAccessKeyId: {
		cause: 'credential-invalid',
		message: () => 'MEGA S4 does not know this access key',
		hint: () => `Copy the access key again from MEGA (Object storage → Keys) into the credential. ${PRO_PLAN}`,
	},
	SignatureDoesNotMatch: {
		cause: 'credential-invalid',
		message: () => 'MEGA S4 rejected the request signature: the secret key does not match the access key',
		hint: () =>
			'Paste the secret key again (no spaces before or after) and check that it belongs to this access key. ' +
			`A wrong region or custom endpoint for the key can cause this too. ${PRO_PLAN}`,
	},
	InvalidToken: { cause: 'credential-invalid', message: () => 'MEGA S4 rejected the security token' },
	ExpiredToken: { cause: 'credential-invalid', message: () => 'The security token has expired' },
	RequestTimeTooSkewed: {
		cause: 'bad-request',
		message: () => "This machine's clock is too far from MEGA S4's clock for a signed request",
		hint: () => 'Synchronise the system clock (NTP) of the machine running n8n.',
	},
	AccessDenied: {
		cause: 'access-denied',
		message: (ctx) => `Access to ${where(ctx)} was denied`,
		hint: () =>
			"Check that the key's policy allows this action on this bucket (sub-user keys are limited by their IAM policy), " +
			`that the name follows S4's rules, and that a presigned URL has not expired. ${PRO_PLAN}`,
	},
	AccountProblem: {
		cause: 'quota-exhausted',
		message: () => 'MEGA S4 refused the request because of the account state (storage quota or plan)',
		hint: () => `Free some space or upgrade the plan. ${PRO_PLAN}`,
	},
	AccessProblem: {
		cause: 'quota-exhausted',
		message: () => 'MEGA S4 refused the request because of the account state (storage quota or plan)',
		hint: () => `Free some space or upgrade the plan. ${PRO_PLAN}`,
	},
	NoSuchBucket: {
		cause: 'not-found',
		message: (ctx) => `Bucket "${ctx.bucket ?? '?'}" does not exist`,
		hint: () => 'Check the bucket name, or create the bucket first (Bucket → Create).',
	},
	NoSuchKey: {
		cause: 'not-found',
		message: (ctx) => `Object "${ctx.key ?? '?'}" does not exist in bucket "${ctx.bucket ?? '?'}"`,
		hint: () => 'Check the key: keys are case-sensitive and include the full folder path, e.g. "reports/2026/q1.pdf".',
	},
	NotFound: {
		cause: 'not-found',
		message: (ctx) => (ctx.key !== undefined ? `Object "${ctx.key}" does not exist in bucket "${ctx.bucket ?? '?'}"` : `Bucket "${ctx.bucket ?? '?'}" does not exist`),
		hint: () => 'Check the bucket name and the key: both are case-sensitive.',
	},
	NoSuchUpload: {
		cause: 'bad-request',
		retryable: true,
		message: () => 'The multipart upload no longer exists on MEGA S4 (it was completed or aborted)',
		hint: () => 'Run the upload again; S4 aborts a whole multipart upload when one of its parts is refused.',
	},
	BucketAlreadyOwnedByYou: {
		cause: 'conflict',
		message: (ctx) => `Bucket "${ctx.bucket ?? '?'}" already exists in this account`,
		hint: () => 'Use the existing bucket, or pick another name.',
	},
	BucketAlreadyExists: {
		cause: 'conflict',
		message: (ctx) => `Bucket "${ctx.bucket ?? '?'}" already exists`,
		hint: () => 'Pick another name.',
	},
	BucketNotEmpty: {
		cause: 'conflict',
		message: (ctx) => `Bucket "${ctx.bucket ?? '?'}" is not empty`,
		hint: () => 'Delete its objects first (Folder → Delete on each top-level folder, or Object → Delete Many), then delete the bucket.',
	},
	InvalidBucketName: {
		cause: 'bad-request',
		message: (ctx) => `MEGA S4 refused the bucket name "${ctx.bucket ?? '?'}"`,
		hint: () => 'Bucket names are 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.',
	},
	SlowDown: {
		cause: 'rate-limited',
		retryable: true,
		message: () => 'MEGA S4 asked to slow down (too many requests)',
		hint: () => 'S4 allows about 40–50 upload requests per second per account. Lower the batch size or add a Wait node between batches.',
	},
	ServiceUnavailable: {
		cause: 'temporarily-unavailable',
		retryable: true,
		message: () => 'MEGA S4 is temporarily unavailable',
		hint: () => 'Try again in a moment.',
	},
	InternalError: {
		cause: 'temporarily-unavailable',
		retryable: true,
		message: () => 'MEGA S4 had an internal error',
		hint: () => 'Try again in a moment.',
	},
	RequestTimeout: {
		cause: 'temporarily-unavailable',
		retryable: true,
		message: () => 'MEGA S4 timed out waiting for the request body',
		hint: () => 'Try again; check the network between n8n and S4.',
	},
	EntityTooSmall: {
		cause: 'bad-request',
		message: () => 'MEGA S4 refused a multipart part smaller than 5 MiB',
		hint: () => 'Every part but the last must be at least 5 MiB and all of the same size; use a part size of 5 MiB or more.',
	},
	InvalidPart: {
		cause: 'bad-request',
		retryable: true,
		message: () => 'MEGA S4 refused a multipart part (S4 needs equal-size parts, never re-sent, numbered 1..N)',
		hint: () => 'Run the upload again; S4 aborted this multipart upload.',
	},
	EntityTooLarge: {
		cause: 'bad-request',
		message: () => 'The object is too large for this request',
		hint: () => 'Upload large files through the node (multipart) rather than a single request or presigned PUT.',
	},
	InvalidRange: {
		cause: 'bad-request',
		message: (ctx) => `The requested byte range is outside ${where(ctx)}`,
		hint: () => 'Use a range within the object size, e.g. "bytes=0-1023".',
	},
	PreconditionFailed: { cause: 'conflict', message: (ctx) => `A condition on ${where(ctx)} was not met` },
	MethodNotAllowed: {
		cause: 'bad-request',
		message: (ctx) => `MEGA S4 does not allow this operation on ${where(ctx)}`,
		hint: () => 'Object keys must not contain "//", "/./" or "/../".',
	},
	NotImplemented: {
		cause: 'bad-request',
		message: () => 'MEGA S4 does not support this request',
		hint: () => 'S4 does not offer ACLs, tagging, versioning, encryption settings, storage classes or object lock.',
	},
	AccessControlListNotSupported: {
		cause: 'bad-request',
		message: () => 'MEGA S4 does not support ACLs',
		hint: () => 'Share objects with a presigned URL instead.',
	},
	AuthorizationQueryParametersError: {
		cause: 'bad-request',
		message: () => 'MEGA S4 refused the presigned URL parameters',
		hint: () => 'The expiry must be between 1 second and 7 days.',
	},
};

const NETWORK_CODES = new Set([
	'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET',
]);

interface SdkErrorShape {
	name?: string;
	message?: string;
	code?: string;
	Code?: string;
	$fault?: string;
	$metadata?: { httpStatusCode?: number; requestId?: string };
	$response?: { statusCode?: number; headers?: Record<string, string> };
	$retryable?: { throttling?: boolean };
	cause?: unknown;
}

function networkCode(error: SdkErrorShape): string | undefined {
	for (let e: SdkErrorShape | undefined = error, depth = 0; e && depth < 4; e = e.cause as SdkErrorShape | undefined, depth++) {
		if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
		if (e.name === 'TimeoutError') return 'ETIMEDOUT';
	}
	// The SDK wraps errors from another realm (e.g. a test VM) as "AWS SDK error wrapper for Error: connect ECONNREFUSED ...".
	const named = /\b(E[A-Z_]{4,})\b/.exec(typeof error.message === 'string' ? error.message : '')?.[1];
	if (named && NETWORK_CODES.has(named) && !error.$metadata?.httpStatusCode) return named;
	return undefined;
}

/** Turns anything the AWS SDK (or the network) threw into an `S4Error` with a plain message and a fix. */
export function mapS4Error(error: unknown, ctx: ErrorContext = {}): S4Error {
	if (error instanceof S4Error) return error;
	const e = (error ?? {}) as SdkErrorShape;
	if (e.name === 'AbortError' || (error instanceof Error && error.name === 'AbortError')) return new S4AbortError(undefined, error);

	const net = networkCode(e);
	if (net) {
		const target = ctx.endpoint ? `the MEGA S4 endpoint ${ctx.endpoint}` : 'the MEGA S4 endpoint';
		const message =
			net === 'ENOTFOUND' || net === 'EAI_AGAIN'
				? `The host name of ${target} could not be resolved`
				: net === 'ECONNREFUSED'
					? `${target.charAt(0).toUpperCase()}${target.slice(1)} refused the connection`
					: `The connection to ${target} failed (${net})`;
		return new S4NetworkError(message, {
			code: net,
			hint: 'Check the region or the custom endpoint in the credential (e.g. https://s3.eu-central-1.s4.mega.io) and that this machine can reach it.',
			original: error,
		});
	}

	const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
	if (status === undefined && !e.$fault && !e.Code) {
		// Nothing came back from S4: a local failure (e.g. the source stream broke while being read).
		const what = ctx.operation ? `Could not ${ctx.operation}` : 'The S4 request failed before reaching MEGA S4';
		return new S4Error(`${what}: ${e.message ?? String(error)}`, {
			code: typeof e.code === 'string' ? e.code : 'ClientError',
			cause: 'bad-request',
			hint: 'Check the input data (for uploads: that the binary file is still readable).',
			original: error,
		});
	}
	const code = e.Code ?? (e.name && e.name !== 'Error' && e.name !== 'S3ServiceException' ? e.name : undefined) ?? (status ? `Http${status}` : 'UnknownError');
	const info = CODES[code];
	const requestId = e.$metadata?.requestId;
	if (info) {
		return new S4ServiceError(info.message(ctx), {
			code,
			cause: info.cause,
			retryable: info.retryable ?? false,
			hint: info.hint?.(ctx),
			httpStatus: status,
			requestId,
			original: error,
		});
	}
	const serverSide = (status ?? 0) >= 500 || e.$fault === 'server';
	const what = ctx.operation ? ` while trying to ${ctx.operation}` : '';
	const detail = e.message && e.message !== code && e.message !== 'UnknownError' ? `: ${e.message}` : '';
	return new S4ServiceError(`MEGA S4 answered ${code}${status ? ` (HTTP ${status})` : ''}${what}${detail}`, {
		code,
		cause: serverSide ? 'temporarily-unavailable' : status === 403 ? 'access-denied' : status === 404 ? 'not-found' : 'bad-request',
		retryable: serverSide,
		hint: serverSide ? 'Try again in a moment.' : undefined,
		httpStatus: status,
		requestId,
		original: error,
	});
}
