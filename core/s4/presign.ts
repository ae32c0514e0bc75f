/**
 * Presigned GET/PUT URLs. S4: SigV4 query signing only, expiry at most 7 days (604800 s); no presigned POST and no
 * `response-content-disposition` (s4.md §1.5). The client's WHEN_REQUIRED checksum mode keeps the bogus
 * `x-amz-checksum-crc32=AAAAAA==` out of PUT URLs.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S4Client } from './client';
import { S4InputError, mapS4Error } from './errors';
import { validateBucketName, validateObjectKey } from './names';

export const PRESIGN_MIN_SECONDS = 1;
export const PRESIGN_MAX_SECONDS = 7 * 24 * 60 * 60;
export const PRESIGN_DEFAULT_SECONDS = 60 * 60;

/** Checks an expiry in seconds; undefined gives the default (1 hour). */
export function validatePresignExpiry(seconds: number | undefined): number {
	if (seconds === undefined) return PRESIGN_DEFAULT_SECONDS;
	if (typeof seconds !== 'number' || !Number.isInteger(seconds)) {
		throw new S4InputError(`The URL expiry must be a whole number of seconds; got ${String(seconds)}`, 'presign-expiry-integer', 'Enter a whole number of seconds between 1 and 604800 (7 days).');
	}
	if (seconds < PRESIGN_MIN_SECONDS) {
		throw new S4InputError(`The URL expiry must be at least 1 second; got ${seconds}`, 'presign-expiry-min', 'Enter a whole number of seconds between 1 and 604800 (7 days).');
	}
	if (seconds > PRESIGN_MAX_SECONDS) {
		throw new S4InputError(
			`The URL expiry of ${seconds} seconds is longer than the 7 days (604800 seconds) S4 allows`,
			'presign-expiry-max',
			'Use at most 604800 seconds. For longer sharing, generate a new URL when needed.',
		);
	}
	return seconds;
}

export interface PresignInput {
	method: 'GET' | 'PUT';
	bucket: string;
	key: string;
	/** Seconds, 1 to 604800; default 3600. */
	expiresIn?: number;
	/** PUT only: the Content-Type the uploader must send (it becomes part of the signature). */
	contentType?: string;
	/** GET only: override the Content-Type of the response (`response-content-type`, supported by S4). */
	responseContentType?: string;
	/** For tests: the signing time (default now). */
	signingDate?: Date;
}

export interface PresignedUrl {
	url: string;
	method: 'GET' | 'PUT';
	/** Headers the caller must send with the request for the signature to match. */
	headers: Record<string, string>;
	expiresIn: number;
	expiresAt: string;
	bucket: string;
	key: string;
}

export async function presignUrl(client: S4Client, input: PresignInput): Promise<PresignedUrl> {
	if (input.method !== 'GET' && input.method !== 'PUT') {
		throw new S4InputError(`Presigned URLs are for GET or PUT; got ${String(input.method)}`, 'presign-method', 'S4 does not support presigned POST.');
	}
	validateBucketName(input.bucket);
	validateObjectKey(input.key);
	const expiresIn = validatePresignExpiry(input.expiresIn);
	const signingDate = input.signingDate ?? new Date();
	const headers: Record<string, string> = {};
	const command =
		input.method === 'GET'
			? new GetObjectCommand({ Bucket: input.bucket, Key: input.key, ...(input.responseContentType ? { ResponseContentType: input.responseContentType } : {}) })
			: new PutObjectCommand({ Bucket: input.bucket, Key: input.key, ...(input.contentType ? { ContentType: input.contentType } : {}) });
	if (input.method === 'PUT' && input.contentType) headers['Content-Type'] = input.contentType;
	try {
		const url = await getSignedUrl(client.s3, command, {
			expiresIn,
			signingDate,
			// Keep Content-Type a signed header (not a query parameter), so the uploader must send exactly this type.
			...(input.method === 'PUT' && input.contentType ? { signableHeaders: new Set(['content-type']) } : {}),
		});
		return {
			url,
			method: input.method,
			headers,
			expiresIn,
			expiresAt: new Date(signingDate.getTime() + expiresIn * 1000).toISOString(),
			bucket: input.bucket,
			key: input.key,
		};
	} catch (error) {
		throw mapS4Error(error, { bucket: input.bucket, key: input.key, endpoint: client.endpoint, operation: 'sign the URL' });
	}
}
