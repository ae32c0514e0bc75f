/**
 * Streaming uploads that respect S4's multipart rules (s4.md §1.5):
 * - every part but the last has the same fixed size, at least 5 MiB (lib-storage `Upload` with a fixed `partSize`);
 * - a part number is never sent twice in one upload: the upload client has SDK retries off, and when a part fails
 *   the whole multipart upload is aborted and restarted from a fresh source stream (new upload id, parts from 1);
 * - the multipart upload is aborted on any failure;
 * - bodies that fit in one part go in a single PutObject, streamed.
 */
import type { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, PutObjectCommand, UploadPartCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { abortableSleep } from '../retry-timing';
import type { S4Client } from './client';
import { S4AbortError, S4Error, S4InputError, mapS4Error } from './errors';
import { validateBucketName, validateObjectKey } from './names';

export const MIB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MIB;
export const DEFAULT_PART_SIZE = 8 * MIB;
export const DEFAULT_QUEUE_SIZE = 3;
export const MAX_PARTS = 10_000;
export const DEFAULT_UPLOAD_ATTEMPTS = 3;

/** Where the bytes come from. `open()` must give a fresh stream from byte 0 each time (restarts call it again). */
export interface UploadSource {
	open(): Readable | Promise<Readable>;
	/** Size in bytes when known (it decides single PUT vs multipart and the part size). */
	size?: number;
}

export interface UploadObjectInput {
	bucket: string;
	key: string;
	source: UploadSource | Buffer;
	contentType?: string;
	contentDisposition?: string;
	contentEncoding?: string;
	cacheControl?: string;
	/** User metadata, sent as x-amz-meta-* headers. */
	metadata?: Record<string, string>;
	/** Fixed part size, at least 5 MiB (default 8 MiB); raised in whole MiB when the size would need more than 10,000 parts. */
	partSize?: number;
	/** Parts in flight (default 3; S4 asks for moderate concurrency). */
	queueSize?: number;
	/** Whole-upload attempts on retryable failures (default 3). */
	maxAttempts?: number;
	/** Delay before a restart, doubled each time (default 500 ms). */
	retryDelayMs?: number;
	signal?: AbortSignal;
	onProgress?: (progress: { loaded: number; total?: number }) => void;
}

export interface UploadObjectResult {
	bucket: string;
	key: string;
	etag?: string;
	size?: number;
	multipart: boolean;
	partSize?: number;
	parts: number;
	/** How many times the upload was started (1 = no restart). */
	attempts: number;
	contentType?: string;
}

export interface PartPlan {
	partSize: number;
	/** Number of parts, when the size is known. */
	partCount?: number;
	lastPartSize?: number;
	/** false when the body goes in one PutObject. */
	multipart: boolean;
}

/** The part size and count for a body; all parts but the last are exactly `partSize`. */
export function planParts(size: number | undefined, requestedPartSize = DEFAULT_PART_SIZE): PartPlan {
	if (!Number.isInteger(requestedPartSize) || requestedPartSize < MIN_PART_SIZE) {
		throw new S4InputError(
			`The part size must be a whole number of bytes, at least 5 MiB (${MIN_PART_SIZE}); got ${requestedPartSize}`,
			'part-size-min',
			'S4 refuses parts under 5 MiB (except the last) and aborts the whole upload.',
		);
	}
	if (size === undefined) return { partSize: requestedPartSize, multipart: true };
	if (!Number.isSafeInteger(size) || size < 0) throw new S4InputError(`The body size must be a non-negative whole number; got ${size}`, 'body-size');
	let partSize = requestedPartSize;
	if (Math.ceil(size / partSize) > MAX_PARTS) partSize = Math.ceil(size / MAX_PARTS / MIB) * MIB;
	if (size <= partSize) return { partSize, partCount: 1, lastPartSize: size, multipart: false };
	const partCount = Math.ceil(size / partSize);
	return { partSize, partCount, lastPartSize: size - (partCount - 1) * partSize, multipart: true };
}

const sleep = (ms: number, signal?: AbortSignal) => abortableSleep(ms, signal, () => new S4AbortError());

function isNoSuchUpload(error: unknown): boolean {
	const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
	return e?.name === 'NoSuchUpload' || e?.Code === 'NoSuchUpload';
}

/** One attempt. Throws the SDK error of the first failing request. */
async function uploadOnce(
	client: S4Client,
	input: UploadObjectInput,
	body: Readable | Buffer,
	size: number | undefined,
	plan: PartPlan,
	params: PutObjectCommandInput,
): Promise<{ etag?: string; multipart: boolean; parts: number }> {
	if (!plan.multipart && size !== undefined) {
		// Small body: one streamed PutObject with a known length (0 bytes go as an empty Buffer; an empty stream can hang).
		const payload = size === 0 ? Buffer.alloc(0) : body;
		if (size === 0 && !Buffer.isBuffer(body)) body.destroy();
		const result = await client.uploadS3.send(new PutObjectCommand({ ...params, Body: payload, ContentLength: size }), {
			abortSignal: input.signal,
		});
		input.onProgress?.({ loaded: size, total: size });
		return { etag: result.ETag, multipart: false, parts: 1 };
	}

	let firstPartError: unknown;
	let partsSent = 0;
	const stopFeeding = (error: unknown) => {
		// Stop lib-storage's other uploaders from reading further: the upload is lost anyway.
		if (!Buffer.isBuffer(body) && !body.destroyed) body.destroy(error instanceof Error ? error : new Error(String(error)));
	};
	// lib-storage only uses `send` and `config`; this wrapper records the first part failure and treats "already gone"
	// on abort as done (S4 aborts an upload itself when it refuses a part).
	const guardedClient = {
		config: client.uploadS3.config,
		send: async (command: { constructor: unknown }, options?: unknown) => {
			try {
				const result = await (client.uploadS3.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
				if (command instanceof UploadPartCommand) partsSent++;
				return result;
			} catch (error) {
				if (command instanceof AbortMultipartUploadCommand && isNoSuchUpload(error)) return {};
				if (command instanceof UploadPartCommand && firstPartError === undefined) {
					firstPartError = error;
					stopFeeding(error);
				}
				throw error;
			}
		},
	};
	const upload = new Upload({
		client: guardedClient as unknown as S4Client['uploadS3'],
		params: { ...params, Body: body, ...(size !== undefined ? { ContentLength: size } : {}) },
		partSize: plan.partSize,
		queueSize: input.queueSize ?? DEFAULT_QUEUE_SIZE,
		leavePartsOnError: false,
	});
	if (input.onProgress) upload.on('httpUploadProgress', (p) => input.onProgress?.({ loaded: p.loaded ?? 0, total: p.total }));
	const onAbort = () => void upload.abort();
	input.signal?.addEventListener('abort', onAbort, { once: true });
	try {
		const result = await upload.done();
		return { etag: result.ETag, multipart: partsSent > 0, parts: Math.max(partsSent, 1) };
	} catch (error) {
		throw firstPartError ?? error;
	} finally {
		input.signal?.removeEventListener('abort', onAbort);
	}
}

/** Uploads a stream (or Buffer) to `bucket/key`, restarting from the source on retryable failures. */
export async function uploadObject(client: S4Client, input: UploadObjectInput): Promise<UploadObjectResult> {
	validateBucketName(input.bucket);
	const bufferBody = Buffer.isBuffer(input.source) ? input.source : undefined;
	const source = Buffer.isBuffer(input.source) ? undefined : input.source;
	const size = bufferBody ? bufferBody.length : source?.size;
	validateObjectKey(input.key, { bodySize: size ?? (input.key.endsWith('/') ? 1 : undefined) });
	const plan = planParts(size, input.partSize ?? DEFAULT_PART_SIZE);
	const params: PutObjectCommandInput = {
		Bucket: input.bucket,
		Key: input.key,
		...(input.contentType ? { ContentType: input.contentType } : {}),
		...(input.contentDisposition ? { ContentDisposition: input.contentDisposition } : {}),
		...(input.contentEncoding ? { ContentEncoding: input.contentEncoding } : {}),
		...(input.cacheControl ? { CacheControl: input.cacheControl } : {}),
		...(input.metadata && Object.keys(input.metadata).length ? { Metadata: input.metadata } : {}),
	};
	const maxAttempts = Math.max(1, input.maxAttempts ?? DEFAULT_UPLOAD_ATTEMPTS);
	const ctx = { bucket: input.bucket, key: input.key, endpoint: client.endpoint, operation: 'upload the object' };

	for (let attempt = 1; ; attempt++) {
		if (input.signal?.aborted) throw new S4AbortError('The upload was cancelled');
		const body = bufferBody ?? (await (source as UploadSource).open());
		try {
			const done = await uploadOnce(client, input, body, size, plan, params);
			return {
				bucket: input.bucket,
				key: input.key,
				etag: done.etag || undefined,
				size,
				multipart: done.multipart,
				partSize: done.multipart ? plan.partSize : undefined,
				parts: done.parts,
				attempts: attempt,
				contentType: input.contentType,
			};
		} catch (error) {
			if (!Buffer.isBuffer(body) && !body.destroyed) body.destroy();
			const mapped = input.signal?.aborted ? new S4AbortError('The upload was cancelled', error) : mapS4Error(error, ctx);
			if (!mapped.retryable || attempt >= maxAttempts) {
				if (attempt > 1 && mapped instanceof S4Error && !(mapped instanceof S4AbortError)) {
					Object.defineProperty(mapped, 'message', { value: `${mapped.message} (after ${attempt} upload attempts)` });
				}
				throw mapped;
			}
			await sleep((input.retryDelayMs ?? 500) * 2 ** (attempt - 1), input.signal);
		}
	}
}
