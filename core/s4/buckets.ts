/** Bucket operations. No GetBucketLocation round-trips: S4 always answers an empty location (s4.md §3.1). */
import { CreateBucketCommand, DeleteBucketCommand, HeadBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import type { S4Client } from './client';
import { mapS4Error } from './errors';
import { validateBucketName } from './names';

export interface BucketInfo {
	name: string;
	creationDate?: string;
}

export async function listBuckets(client: S4Client, signal?: AbortSignal): Promise<BucketInfo[]> {
	const buckets: BucketInfo[] = [];
	let token: string | undefined;
	try {
		do {
			const res = await client.s3.send(new ListBucketsCommand(token ? { ContinuationToken: token } : {}), { abortSignal: signal });
			for (const b of res.Buckets ?? []) {
				if (b.Name) buckets.push({ name: b.Name, creationDate: b.CreationDate?.toISOString() });
			}
			token = res.ContinuationToken;
		} while (token);
	} catch (error) {
		throw mapS4Error(error, { endpoint: client.endpoint, operation: 'list the buckets' });
	}
	return buckets;
}

export async function createBucket(client: S4Client, name: string, signal?: AbortSignal): Promise<{ name: string; created: true }> {
	validateBucketName(name);
	try {
		await client.s3.send(new CreateBucketCommand({ Bucket: name }), { abortSignal: signal });
		return { name, created: true };
	} catch (error) {
		throw mapS4Error(error, { bucket: name, endpoint: client.endpoint, operation: 'create the bucket' });
	}
}

export async function deleteBucket(client: S4Client, name: string, signal?: AbortSignal): Promise<{ name: string; deleted: true }> {
	validateBucketName(name);
	try {
		await client.s3.send(new DeleteBucketCommand({ Bucket: name }), { abortSignal: signal });
		return { name, deleted: true };
	} catch (error) {
		throw mapS4Error(error, { bucket: name, endpoint: client.endpoint, operation: 'delete the bucket' });
	}
}

/** True when the bucket exists and the key may use it; false on 404. */
export async function bucketExists(client: S4Client, name: string, signal?: AbortSignal): Promise<boolean> {
	validateBucketName(name);
	try {
		await client.s3.send(new HeadBucketCommand({ Bucket: name }), { abortSignal: signal });
		return true;
	} catch (error) {
		const mapped = mapS4Error(error, { bucket: name, endpoint: client.endpoint, operation: 'check the bucket' });
		if (mapped.cause === 'not-found') return false;
		throw mapped;
	}
}
