import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { listBuckets } from '../../../core/s4';
import { toNodeError } from '../../shared';
import { getS4Client } from '../transport';

/** Buckets of the account for the bucket picker, filtered by a case-insensitive substring. */
export async function searchBuckets(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const client = await getS4Client(this);
		const needle = filter?.trim().toLowerCase() ?? '';
		const buckets = await listBuckets(client);
		return {
			results: buckets
				.filter((b) => needle === '' || b.name.toLowerCase().includes(needle))
				.sort((a, b) => a.name.localeCompare(b.name))
				.map((b) => ({ name: b.name, value: b.name })),
		};
	} catch (error) {
		throw toNodeError(this.getNode(), error, 0);
	}
}
