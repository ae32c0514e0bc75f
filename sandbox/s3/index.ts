/**
 * The S3 sandbox: Debian's Ceph RADOS Gateway (real SigV4, presigned URLs, multipart) behind the strict S4 proxy.
 * `endpoint` is the proxy: every S4 test talks to it. `gatewayEndpoint` is the bare gateway, for comparisons only.
 */
import { startCephGateway, type CephGatewayOptions } from './ceph';
import { startStrictS4Proxy, type StrictS4Proxy } from './proxy';

export { startCephGateway, ensureCephInstalled, CephSandboxError, CEPH_PACKAGES } from './ceph';
export type { CephGateway, CephGatewayOptions } from './ceph';
export { startStrictS4Proxy, MIN_PART_BYTES } from './proxy';
export type { StrictS4Proxy, StrictS4ProxyOptions, Rejection, ProxyRequestRecord, PartFault, S4Operation } from './proxy';

export interface S3SandboxOptions extends CephGatewayOptions {
	/** Port of the strict proxy on 127.0.0.1; 0 (default) picks a free one. */
	proxyPort?: number;
	/** Signing region the clients should use (default eu-central-1, as for S4). */
	region?: string;
}

export interface S3Sandbox {
	/** The strict S4 proxy, e.g. http://127.0.0.1:PORT — use this one. */
	endpoint: string;
	/** The gateway itself (tolerates what S4 refuses). */
	gatewayEndpoint: string;
	accessKeyId: string;
	secretAccessKey: string;
	region: string;
	proxy: StrictS4Proxy;
	stop(): Promise<void>;
}

/** The fields of a MEGA S4 API credential (credentials/MegaS4Api) that point at this sandbox. */
export function megaS4CredentialFor(sandbox: Pick<S3Sandbox, 'accessKeyId' | 'secretAccessKey' | 'region' | 'endpoint'>) {
	return {
		accessKeyId: sandbox.accessKeyId,
		secretAccessKey: sandbox.secretAccessKey,
		region: 'other',
		otherRegion: sandbox.region,
		endpoint: sandbox.endpoint,
		forcePathStyle: true,
	};
}

export async function startS3Sandbox(options: S3SandboxOptions = {}): Promise<S3Sandbox> {
	let gateway;
	try {
		gateway = await startCephGateway(options);
	} catch (error) {
		// Auto-picked ports can be taken between picking and binding (several test files start clusters at once):
		// one more try with fresh ports. A missing package or a fixed port fails at once.
		const autoPorts = !options.rgwPort && !options.monPort;
		if (!autoPorts || /apt-get install/.test(String((error as Error)?.message))) throw error;
		options.log?.(`first start failed (${(error as Error).message}); retrying once with new ports`);
		gateway = await startCephGateway(options);
	}
	let proxy: StrictS4Proxy;
	try {
		proxy = await startStrictS4Proxy({ target: gateway.endpoint, port: options.proxyPort ?? 0 });
	} catch (error) {
		await gateway.stop();
		throw error;
	}
	let stopped: Promise<void> | undefined;
	return {
		endpoint: proxy.url,
		gatewayEndpoint: gateway.endpoint,
		accessKeyId: gateway.accessKeyId,
		secretAccessKey: gateway.secretAccessKey,
		region: options.region ?? 'eu-central-1',
		proxy,
		stop: () => (stopped ??= proxy.close().finally(() => gateway.stop())),
	};
}
