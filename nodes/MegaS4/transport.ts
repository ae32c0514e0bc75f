/**
 * The S4 client for a node execution, built from the `megaS4Api` credential and cached per process by a hash of the
 * credential (S3Clients hold keep-alive sockets; one per credential is plenty).
 */
import { createHash } from 'node:crypto';
import type { ICredentialDataDecryptedObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { createS4Client, destroyS4Client, S4InputError, type S4Client, type S4ClientConfig } from '../../core/s4';

const MAX_CACHED_CLIENTS = 16;
const clients = new Map<string, S4Client>();

/**
 * Region "Other" needs a Region Name, or a Custom Endpoint to send requests to (then signed for the default region when
 * the name is empty); without either, refused here rather than silently sending requests to the default region.
 */
export function s4ConfigFromCredential(credential: ICredentialDataDecryptedObject): S4ClientConfig {
	const other = String(credential.region ?? '') === 'other';
	const region = (other ? String(credential.otherRegion ?? '') : String(credential.region ?? '')).trim();
	if (other && !region && !String(credential.endpoint ?? '').trim()) {
		throw new S4InputError(
			'The MEGA S4 credential has Region set to "Other" but no Region Name',
			'region-name-required',
			'Enter the region code in Region Name (e.g. eu-central-3), or pick one of the listed regions.',
		);
	}
	return {
		accessKeyId: String(credential.accessKeyId ?? ''),
		secretAccessKey: String(credential.secretAccessKey ?? ''),
		region: region || undefined,
		endpoint: credential.endpoint ? String(credential.endpoint) : undefined,
		forcePathStyle: credential.forcePathStyle === undefined ? true : Boolean(credential.forcePathStyle),
	};
}

export function s4ClientForCredential(credential: ICredentialDataDecryptedObject): S4Client {
	const config = s4ConfigFromCredential(credential);
	const cacheKey = createHash('sha256').update(JSON.stringify(config)).digest('hex');
	const cached = clients.get(cacheKey);
	if (cached) {
		// Refresh its place in the insertion order (least recently used goes first).
		clients.delete(cacheKey);
		clients.set(cacheKey, cached);
		return cached;
	}
	const client = createS4Client(config);
	clients.set(cacheKey, client);
	if (clients.size > MAX_CACHED_CLIENTS) {
		const [oldestKey, oldest] = clients.entries().next().value as [string, S4Client];
		clients.delete(oldestKey);
		destroyS4Client(oldest);
	}
	return client;
}

export async function getS4Client(ctx: IExecuteFunctions | ILoadOptionsFunctions): Promise<S4Client> {
	const credential = await ctx.getCredentials('megaS4Api');
	return s4ClientForCredential(credential);
}
