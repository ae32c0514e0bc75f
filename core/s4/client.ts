/**
 * The S3Client factory with the settings S4 needs (s4.md §0, §1.2, §2.2):
 * - path-style addressing (dots in bucket names break virtual-hosted style over HTTPS);
 * - checksums only when an operation requires one (S4 rejects x-amz-checksum-* and aws-chunked bodies, and presigned
 *   PUTs would otherwise carry the CRC32 of an empty body);
 * - CreateBucket without the LocationConstraint body the SDK adds outside us-east-1 (S4 does not support it).
 */
import { S3Client, type S3ClientConfig, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { SerializeHandler, SerializeHandlerArguments, SerializeMiddleware, HandlerExecutionContext } from '@smithy/types';
import { S4InputError } from './errors';
import { DEFAULT_S4_REGION, endpointForRegion } from './regions';

export interface S4ClientConfig {
	accessKeyId: string;
	secretAccessKey: string;
	/** Signing region; also picks the endpoint when `endpoint` is empty. Default eu-central-1. */
	region?: string;
	/** Custom endpoint (new regions, a local sandbox), with scheme. */
	endpoint?: string;
	/** Default true: S4 supports both styles, but dotted bucket names only work path-style over HTTPS. */
	forcePathStyle?: boolean;
	/** SDK attempts for ordinary requests (default 3). Uploads always use one attempt per request (see upload.ts). */
	maxAttempts?: number;
	/** For tests: a custom request handler (SDK `requestHandler`). */
	requestHandler?: S3ClientConfig['requestHandler'];
}

export interface S4Client {
	/** For every request except uploads. */
	s3: S3Client;
	/** For PutObject and multipart requests: SDK retries disabled, because a retried UploadPart re-sends a part number. */
	uploadS3: S3Client;
	region: string;
	endpoint: string;
	forcePathStyle: boolean;
}

export const STRIP_LOCATION_CONSTRAINT_MIDDLEWARE = 's4StripLocationConstraint';

/** Runs before serialisation and drops CreateBucketConfiguration from CreateBucket, whatever the SDK added. */
export function stripLocationConstraintMiddleware(): SerializeMiddleware<ServiceInputTypes, ServiceOutputTypes> {
	return (next: SerializeHandler<ServiceInputTypes, ServiceOutputTypes>, context: HandlerExecutionContext) =>
		async (args: SerializeHandlerArguments<ServiceInputTypes>) => {
			if (context.commandName === 'CreateBucketCommand' && 'CreateBucketConfiguration' in args.input) {
				const input = { ...args.input } as Record<string, unknown>;
				delete input.CreateBucketConfiguration;
				return next({ ...args, input: input as ServiceInputTypes });
			}
			return next(args);
		};
}

export function resolveS4Endpoint(config: Pick<S4ClientConfig, 'region' | 'endpoint'>): string {
	const custom = config.endpoint?.trim();
	if (custom) {
		let url: URL;
		try {
			url = new URL(custom);
		} catch {
			throw new S4InputError(`"${custom}" is not a valid endpoint URL`, 'endpoint-url', 'Enter the endpoint with its scheme, e.g. https://s3.eu-central-1.s4.mega.io');
		}
		if (url.protocol !== 'https:' && url.protocol !== 'http:') {
			throw new S4InputError(`The endpoint "${custom}" must start with https:// or http://`, 'endpoint-url');
		}
		return custom.replace(/\/+$/, '');
	}
	return endpointForRegion(config.region?.trim() || DEFAULT_S4_REGION);
}

function buildClient(config: S4ClientConfig, endpoint: string, region: string, forcePathStyle: boolean, maxAttempts: number): S3Client {
	if (!config.accessKeyId?.trim() || !config.secretAccessKey) {
		throw new S4InputError('The MEGA S4 credential has no access key or secret key', 'credential-keys', 'Fill in both keys from MEGA (Object storage → Keys).');
	}
	const client = new S3Client({
		region,
		endpoint,
		forcePathStyle,
		credentials: { accessKeyId: config.accessKeyId.trim(), secretAccessKey: config.secretAccessKey.trim() },
		requestChecksumCalculation: 'WHEN_REQUIRED',
		responseChecksumValidation: 'WHEN_REQUIRED',
		maxAttempts,
		...(config.requestHandler ? { requestHandler: config.requestHandler } : {}),
	});
	client.middlewareStack.add(stripLocationConstraintMiddleware(), {
		step: 'serialize',
		priority: 'high',
		name: STRIP_LOCATION_CONSTRAINT_MIDDLEWARE,
		override: true,
	});
	return client;
}

export function createS4Client(config: S4ClientConfig): S4Client {
	const region = config.region?.trim() || DEFAULT_S4_REGION;
	const endpoint = resolveS4Endpoint(config);
	const forcePathStyle = config.forcePathStyle ?? true;
	return {
		s3: buildClient(config, endpoint, region, forcePathStyle, config.maxAttempts ?? 3),
		uploadS3: buildClient(config, endpoint, region, forcePathStyle, 1),
		region,
		endpoint,
		forcePathStyle,
	};
}

export function destroyS4Client(client: S4Client): void {
	client.s3.destroy();
	client.uploadS3.destroy();
}
