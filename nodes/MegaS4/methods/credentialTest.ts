import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { createS4Client, destroyS4Client, listBuckets, mapS4Error } from '../../../core/s4';
import { s4ConfigFromCredential } from '../transport';

/**
 * A real signed request (ListBuckets) with the keys being tested, explained in plain words: a wrong access key,
 * a wrong secret and an unreachable endpoint each get their own message and fix.
 */
export async function megaS4ApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	let client;
	try {
		client = createS4Client({ ...s4ConfigFromCredential(credential.data ?? {}), maxAttempts: 1 });
		const buckets = await listBuckets(client);
		return {
			status: 'OK',
			message: `Connected to MEGA S4 at ${client.endpoint} (${buckets.length} bucket${buckets.length === 1 ? '' : 's'} visible)`,
		};
	} catch (error) {
		const mapped = mapS4Error(error, { endpoint: client?.endpoint });
		return { status: 'Error', message: mapped.hint ? `${mapped.message}. ${mapped.hint}` : mapped.message };
	} finally {
		if (client) destroyS4Client(client);
	}
}
