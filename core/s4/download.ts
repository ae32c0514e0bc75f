/** Streaming downloads (with Range) and object metadata. */
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { S4Client } from './client';
import { S4InputError, mapS4Error } from './errors';
import { validateBucketName, validateObjectKey } from './names';

export interface ObjectInfo {
	bucket: string;
	key: string;
	size: number;
	contentType?: string;
	etag?: string;
	lastModified?: string;
	metadata: Record<string, string>;
	cacheControl?: string;
	contentDisposition?: string;
	contentEncoding?: string;
}

/** A byte range: `{ start, end? }` (end inclusive) or an HTTP Range value such as `bytes=0-1023` or `bytes=-500`. */
export type ByteRange = { start: number; end?: number } | string;

export function formatRange(range: ByteRange): string {
	if (typeof range === 'string') {
		const value = range.trim();
		const normalized = /^bytes=/.test(value) ? value : `bytes=${value}`;
		if (!/^bytes=(\d+-\d*|-\d+)$/.test(normalized)) {
			throw new S4InputError(`"${range}" is not a byte range`, 'range-format', 'Use "bytes=START-END" (inclusive), "bytes=START-" or "bytes=-LAST_N", e.g. "bytes=0-1023".');
		}
		const m = /^bytes=(\d+)-(\d+)$/.exec(normalized);
		if (m && Number(m[2]) < Number(m[1])) throw new S4InputError(`The range "${range}" ends before it starts`, 'range-order');
		return normalized;
	}
	const { start, end } = range;
	if (!Number.isSafeInteger(start) || start < 0) throw new S4InputError(`The range start must be a non-negative whole number; got ${start}`, 'range-start');
	if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
		throw new S4InputError(`The range end must be a whole number not below the start (${start}); got ${end}`, 'range-order');
	}
	return `bytes=${start}-${end ?? ''}`;
}

export interface DownloadObjectInput {
	bucket: string;
	key: string;
	range?: ByteRange;
	signal?: AbortSignal;
}

export interface DownloadObjectResult extends ObjectInfo {
	/** The body, streamed; always consume or destroy it. */
	body: Readable;
	/** e.g. `bytes 0-99/1000` for a ranged download. */
	contentRange?: string;
	/** Size of the whole object (differs from `size` for a range). */
	totalSize?: number;
}

const toIso = (d?: Date) => (d instanceof Date ? d.toISOString() : undefined);

/** The metadata fields GetObject and HeadObject answer alike. */
interface ObjectMetadataReply {
	ContentLength?: number;
	ContentType?: string;
	ETag?: string;
	LastModified?: Date;
	Metadata?: Record<string, string>;
	CacheControl?: string;
	ContentDisposition?: string;
	ContentEncoding?: string;
}

function objectInfo(bucket: string, key: string, res: ObjectMetadataReply): ObjectInfo {
	return {
		bucket,
		key,
		size: res.ContentLength ?? 0,
		contentType: res.ContentType,
		etag: res.ETag,
		lastModified: toIso(res.LastModified),
		metadata: res.Metadata ?? {},
		cacheControl: res.CacheControl,
		contentDisposition: res.ContentDisposition,
		contentEncoding: res.ContentEncoding,
	};
}

export async function downloadObject(client: S4Client, input: DownloadObjectInput): Promise<DownloadObjectResult> {
	validateBucketName(input.bucket);
	validateObjectKey(input.key);
	const range = input.range === undefined || input.range === '' ? undefined : formatRange(input.range);
	try {
		const res = await client.s3.send(new GetObjectCommand({ Bucket: input.bucket, Key: input.key, ...(range ? { Range: range } : {}) }), {
			abortSignal: input.signal,
		});
		const total = res.ContentRange ? Number(/\/(\d+)$/.exec(res.ContentRange)?.[1]) : res.ContentLength;
		return {
			...objectInfo(input.bucket, input.key, res),
			body: res.Body as Readable,
			totalSize: Number.isFinite(total) ? total : undefined,
			contentRange: res.ContentRange,
		};
	} catch (error) {
		throw mapS4Error(error, { bucket: input.bucket, key: input.key, endpoint: client.endpoint, operation: 'download the object' });
	}
}

export async function headObject(client: S4Client, bucket: string, key: string, signal?: AbortSignal): Promise<ObjectInfo> {
	validateBucketName(bucket);
	validateObjectKey(key);
	try {
		const res = await client.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
		return objectInfo(bucket, key, res);
	} catch (error) {
		throw mapS4Error(error, { bucket, key, endpoint: client.endpoint, operation: 'read the object metadata' });
	}
}
