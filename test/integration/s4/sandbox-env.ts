/**
 * The S3 sandbox for S4 tests: Ceph RGW + the strict S4 proxy, started by the test file itself (one per file).
 * With S4_TEST_GATEWAY_ENDPOINT, S4_TEST_ACCESS_KEY_ID and S4_TEST_SECRET_ACCESS_KEY set, an already running gateway
 * is used instead of starting Ceph (the strict proxy still runs in-process in front of it).
 * A gateway that cannot start is a loud failure, never a skip.
 */
import { startS3Sandbox, startStrictS4Proxy, type S3Sandbox } from '../../../sandbox/s3';
import { createS4Client, destroyS4Client, type S4Client } from '../../../core/s4';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** The sandbox (`endpoint` is the strict proxy: what tests and nodes talk to), plus a client and credential data. */
export interface S4TestEnv extends S3Sandbox {
	client: S4Client;
	/** The `megaS4Api` credential data pointing at the proxy. */
	credential: { accessKeyId: string; secretAccessKey: string; region: string; endpoint: string; forcePathStyle: boolean };
}

export const SANDBOX_START_TIMEOUT_MS = 240_000;

export async function startS4TestEnv(): Promise<S4TestEnv> {
	const external = process.env.S4_TEST_GATEWAY_ENDPOINT;
	let base: S3Sandbox;
	if (external) {
		const accessKeyId = process.env.S4_TEST_ACCESS_KEY_ID;
		const secretAccessKey = process.env.S4_TEST_SECRET_ACCESS_KEY;
		if (!accessKeyId || !secretAccessKey) {
			throw new Error('S4_TEST_GATEWAY_ENDPOINT is set but S4_TEST_ACCESS_KEY_ID / S4_TEST_SECRET_ACCESS_KEY are not');
		}
		const proxy = await startStrictS4Proxy({ target: external });
		base = { endpoint: proxy.url, gatewayEndpoint: external, accessKeyId, secretAccessKey, region: process.env.S4_TEST_REGION ?? 'eu-central-1', proxy, stop: () => proxy.close() };
	} else {
		base = await startS3Sandbox();
	}
	const credential = { accessKeyId: base.accessKeyId, secretAccessKey: base.secretAccessKey, region: base.region, endpoint: base.endpoint, forcePathStyle: true };
	const client = createS4Client(credential);
	return {
		...base,
		credential,
		client,
		stop: async () => {
			destroyS4Client(client);
			await base.stop();
		},
	};
}
