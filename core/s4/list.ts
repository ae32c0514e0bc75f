/** ListObjectsV2 with pagination (continuation tokens), prefix and delimiter; "folders" are CommonPrefixes. */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S4Client } from './client';
import { S4InputError, mapS4Error } from './errors';
import { validateBucketName } from './names';

export interface ListedObject {
	type: 'object';
	bucket: string;
	key: string;
	/** Last path segment, e.g. "q1.pdf" for "reports/q1.pdf" ("reports/" for a folder marker). */
	name: string;
	size: number;
	etag?: string;
	lastModified?: string;
	storageClass?: string;
}

export interface ListedFolder {
	type: 'folder';
	bucket: string;
	/** The prefix, ending with the delimiter, e.g. "reports/2026/". */
	key: string;
	name: string;
}

export type ListedEntry = ListedObject | ListedFolder;

export interface ListObjectsInput {
	bucket: string;
	prefix?: string;
	/** e.g. "/": keys below the next "/" come back once, as a folder. Empty = recursive listing. */
	delimiter?: string;
	startAfter?: string;
	/** Stop after this many entries (objects and folders); undefined = all. */
	limit?: number;
	/** Keys per request, 1–1000 (default 1000). */
	pageSize?: number;
	signal?: AbortSignal;
}

export interface ListPage {
	entries: ListedEntry[];
	nextContinuationToken?: string;
	isTruncated: boolean;
}

export function lastSegment(key: string): string {
	const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
	const name = trimmed.slice(trimmed.lastIndexOf('/') + 1);
	return key.endsWith('/') ? `${name}/` : name;
}

export async function listObjectsPage(
	client: S4Client,
	input: Omit<ListObjectsInput, 'limit'> & { continuationToken?: string; maxKeys?: number },
): Promise<ListPage> {
	validateBucketName(input.bucket);
	const maxKeys = input.maxKeys ?? input.pageSize ?? 1000;
	if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000) {
		throw new S4InputError(`A page holds 1 to 1000 keys; got ${maxKeys}`, 'list-page-size');
	}
	try {
		const res = await client.s3.send(
			new ListObjectsV2Command({
				Bucket: input.bucket,
				MaxKeys: maxKeys,
				...(input.prefix ? { Prefix: input.prefix } : {}),
				...(input.delimiter ? { Delimiter: input.delimiter } : {}),
				...(input.startAfter && !input.continuationToken ? { StartAfter: input.startAfter } : {}),
				...(input.continuationToken ? { ContinuationToken: input.continuationToken } : {}),
			}),
			{ abortSignal: input.signal },
		);
		const folders: ListedFolder[] = (res.CommonPrefixes ?? [])
			.filter((p): p is { Prefix: string } => typeof p.Prefix === 'string')
			.map((p) => ({ type: 'folder', bucket: input.bucket, key: p.Prefix, name: lastSegment(p.Prefix) }));
		const objects: ListedObject[] = (res.Contents ?? [])
			.filter((o) => typeof o.Key === 'string')
			.map((o) => ({
				type: 'object',
				bucket: input.bucket,
				key: o.Key as string,
				name: lastSegment(o.Key as string),
				size: o.Size ?? 0,
				etag: o.ETag,
				lastModified: o.LastModified instanceof Date ? o.LastModified.toISOString() : undefined,
				storageClass: o.StorageClass,
			}));
		// S3 orders folders and keys together lexicographically; keep that order so pages read naturally.
		const entries: ListedEntry[] = [...folders, ...objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
		return { entries, nextContinuationToken: res.IsTruncated ? res.NextContinuationToken : undefined, isTruncated: res.IsTruncated === true };
	} catch (error) {
		throw mapS4Error(error, { bucket: input.bucket, endpoint: client.endpoint, operation: 'list the objects' });
	}
}

/** Yields entries page by page, following continuation tokens, until the listing or the limit ends. */
export async function* iterateObjects(client: S4Client, input: ListObjectsInput): AsyncGenerator<ListedEntry> {
	const limit = input.limit;
	if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
		throw new S4InputError(`The limit must be a whole number of at least 1; got ${limit}`, 'list-limit');
	}
	let yielded = 0;
	let continuationToken: string | undefined;
	do {
		const pageSize = Math.min(input.pageSize ?? 1000, limit !== undefined ? Math.max(limit - yielded, 1) : 1000);
		const page = await listObjectsPage(client, { ...input, continuationToken, maxKeys: pageSize });
		for (const entry of page.entries) {
			yield entry;
			if (limit !== undefined && ++yielded >= limit) return;
		}
		if (page.isTruncated && !page.nextContinuationToken) break;
		continuationToken = page.nextContinuationToken;
	} while (continuationToken);
}

export async function listObjects(client: S4Client, input: ListObjectsInput): Promise<ListedEntry[]> {
	const all: ListedEntry[] = [];
	for await (const entry of iterateObjects(client, input)) all.push(entry);
	return all;
}
