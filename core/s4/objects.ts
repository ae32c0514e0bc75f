/** Object operations other than transfers: copy, move, delete (one, many, a whole prefix), folder markers. */
import { CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S4Client } from './client';
import { S4InputError, mapS4Error } from './errors';
import { headObject } from './download';
import { iterateObjects } from './list';
import { normalizeFolderPrefix, validateBucketName, validateObjectKey } from './names';

/** S3 DeleteObjects takes at most 1000 keys per request. */
export const DELETE_BATCH_SIZE = 1000;

export interface CopyObjectInput {
	sourceBucket: string;
	sourceKey: string;
	bucket: string;
	key: string;
	/** COPY (default) keeps the source's metadata; REPLACE uses the fields below. */
	metadataDirective?: 'COPY' | 'REPLACE';
	metadata?: Record<string, string>;
	/** With REPLACE; when empty the source's Content-Type is kept (S3 would reset it). */
	contentType?: string;
	contentDisposition?: string;
	cacheControl?: string;
	signal?: AbortSignal;
}

export interface CopyObjectResult {
	sourceBucket: string;
	sourceKey: string;
	bucket: string;
	key: string;
	etag?: string;
	lastModified?: string;
}

/** `x-amz-copy-source` value: bucket/key with each key segment URL-encoded (a raw "+" or "%" would be misread). */
export function copySourceHeader(bucket: string, key: string): string {
	return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** One server-side CopyObject; works across buckets and across S4 regions (buckets are global). */
export async function copyObject(client: S4Client, input: CopyObjectInput): Promise<CopyObjectResult> {
	validateBucketName(input.sourceBucket);
	validateObjectKey(input.sourceKey);
	validateBucketName(input.bucket);
	validateObjectKey(input.key);
	const replace = input.metadataDirective === 'REPLACE';
	if (!replace && input.sourceBucket === input.bucket && input.sourceKey === input.key) {
		throw new S4InputError(
			`Copying "${input.key}" onto itself changes nothing`,
			'copy-onto-itself',
			'Choose another destination key, or set Metadata to Replace to rewrite the metadata in place.',
		);
	}
	let contentType = input.contentType;
	if (replace && !contentType) contentType = (await headObject(client, input.sourceBucket, input.sourceKey, input.signal)).contentType;
	try {
		const res = await client.s3.send(
			new CopyObjectCommand({
				Bucket: input.bucket,
				Key: input.key,
				CopySource: copySourceHeader(input.sourceBucket, input.sourceKey),
				MetadataDirective: replace ? 'REPLACE' : 'COPY',
				...(replace
					? {
							Metadata: input.metadata ?? {},
							...(contentType ? { ContentType: contentType } : {}),
							...(input.contentDisposition ? { ContentDisposition: input.contentDisposition } : {}),
							...(input.cacheControl ? { CacheControl: input.cacheControl } : {}),
						}
					: {}),
			}),
			{ abortSignal: input.signal },
		);
		return {
			sourceBucket: input.sourceBucket,
			sourceKey: input.sourceKey,
			bucket: input.bucket,
			key: input.key,
			etag: res.CopyObjectResult?.ETag,
			lastModified: res.CopyObjectResult?.LastModified?.toISOString(),
		};
	} catch (error) {
		throw mapS4Error(error, { bucket: input.sourceBucket, key: input.sourceKey, endpoint: client.endpoint, operation: 'copy the object' });
	}
}

/** Copy, then delete the source. */
export async function moveObject(client: S4Client, input: CopyObjectInput): Promise<CopyObjectResult> {
	if (input.sourceBucket === input.bucket && input.sourceKey === input.key) {
		throw new S4InputError(`Moving "${input.key}" onto itself changes nothing`, 'move-onto-itself', 'Choose another destination key or bucket.');
	}
	const copied = await copyObject(client, input);
	await deleteObject(client, input.sourceBucket, input.sourceKey, input.signal);
	return copied;
}

export async function deleteObject(client: S4Client, bucket: string, key: string, signal?: AbortSignal): Promise<{ bucket: string; key: string; deleted: true }> {
	validateBucketName(bucket);
	validateObjectKey(key);
	try {
		await client.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
		return { bucket, key, deleted: true };
	} catch (error) {
		throw mapS4Error(error, { bucket, key, endpoint: client.endpoint, operation: 'delete the object' });
	}
}

export interface DeleteManyResult {
	bucket: string;
	deleted: string[];
	errors: Array<{ key: string; code: string; message: string }>;
}

/** DeleteObjects in batches of 1000 (S4 reports missing keys as deleted). */
export async function deleteObjects(client: S4Client, bucket: string, keys: string[], signal?: AbortSignal): Promise<DeleteManyResult> {
	validateBucketName(bucket);
	keys.forEach((key) => validateObjectKey(key));
	const result: DeleteManyResult = { bucket, deleted: [], errors: [] };
	for (let i = 0; i < keys.length; i += DELETE_BATCH_SIZE) {
		const batch = keys.slice(i, i + DELETE_BATCH_SIZE);
		try {
			const res = await client.s3.send(
				new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: false } }),
				{ abortSignal: signal },
			);
			for (const d of res.Deleted ?? []) if (d.Key !== undefined) result.deleted.push(d.Key);
			for (const e of res.Errors ?? []) result.errors.push({ key: e.Key ?? '', code: e.Code ?? 'Unknown', message: e.Message ?? '' });
		} catch (error) {
			throw mapS4Error(error, { bucket, endpoint: client.endpoint, operation: 'delete the objects' });
		}
	}
	return result;
}

/** Deletes every object whose key starts with the folder prefix (recursive), in batches as the listing goes. */
export async function deletePrefix(
	client: S4Client,
	bucket: string,
	folder: string,
	signal?: AbortSignal,
): Promise<{ bucket: string; prefix: string; deletedCount: number; errors: DeleteManyResult['errors'] }> {
	const prefix = normalizeFolderPrefix(folder);
	if (prefix === '') {
		throw new S4InputError('Refusing to delete the whole bucket as a folder', 'folder-required', 'Give a folder path such as "reports/2026/".');
	}
	let deletedCount = 0;
	const errors: DeleteManyResult['errors'] = [];
	let batch: string[] = [];
	const flush = async () => {
		if (batch.length === 0) return;
		const res = await deleteObjects(client, bucket, batch, signal);
		deletedCount += res.deleted.length;
		errors.push(...res.errors);
		batch = [];
	};
	// Collect a full page before deleting, so the listing is not disturbed by deletes mid-page.
	for await (const entry of iterateObjects(client, { bucket, prefix, signal })) {
		if (entry.type !== 'object') continue;
		batch.push(entry.key);
		if (batch.length >= DELETE_BATCH_SIZE) await flush();
	}
	await flush();
	return { bucket, prefix, deletedCount, errors };
}

/** Creates an empty folder marker object (`prefix/`). */
export async function createFolder(client: S4Client, bucket: string, folder: string, signal?: AbortSignal): Promise<{ bucket: string; key: string; etag?: string }> {
	validateBucketName(bucket);
	const key = normalizeFolderPrefix(folder);
	if (key === '') throw new S4InputError('A folder name is required', 'folder-required', 'Give a folder path such as "reports/2026".');
	try {
		const res = await client.uploadS3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(0), ContentLength: 0 }), { abortSignal: signal });
		return { bucket, key, etag: res.ETag };
	} catch (error) {
		throw mapS4Error(error, { bucket, key, endpoint: client.endpoint, operation: 'create the folder' });
	}
}
