/**
 * A tiny in-memory S3 behind the SDK's `requestHandler` slot: enough of CreateBucket, PutObject, the multipart calls,
 * HeadObject, GetObject and ListObjectsV2 to observe exactly what the client sends, with switchable part failures.
 * It records every request (method, path, query, headers, body size) for assertions.
 */
import { Readable } from 'node:stream';

export interface RecordedRequest {
	method: string;
	path: string;
	query: Record<string, string | string[] | null>;
	headers: Record<string, string>;
	bodySize: number;
	body: Buffer;
	operation: string;
}

interface SdkRequest {
	method: string;
	path: string;
	query?: Record<string, string | string[] | null>;
	headers: Record<string, string>;
	body?: unknown;
}

async function readBody(body: unknown): Promise<Buffer> {
	if (body === undefined || body === null) return Buffer.alloc(0);
	if (typeof body === 'string') return Buffer.from(body);
	if (body instanceof Uint8Array) return Buffer.from(body);
	if (body instanceof Readable || (typeof body === 'object' && Symbol.asyncIterator in (body as object))) {
		const chunks: Buffer[] = [];
		for await (const c of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
		return Buffer.concat(chunks);
	}
	throw new Error(`fake-s3: unsupported body ${typeof body}`);
}

function response(statusCode: number, body = '', headers: Record<string, string> = {}) {
	const buf = Buffer.from(body);
	return {
		response: {
			statusCode,
			reason: '',
			headers: { 'content-length': String(buf.length), ...(body ? { 'content-type': 'application/xml' } : {}), ...headers },
			body: Readable.from([buf]),
		},
	};
}

const errorXml = (code: string, message = code) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

export interface PartFailure {
	partNumber: number;
	/** Which UploadPart attempt of that number to fail (1 = the first time it is seen overall). */
	times?: number;
	status?: number;
	code?: string;
}

export class FakeS3 {
	requests: RecordedRequest[] = [];
	objects = new Map<string, { body: Buffer; headers: Record<string, string> }>();
	uploads = new Map<string, { key: string; parts: Map<number, Buffer>; aborted: boolean; completed: boolean }>();
	partFailures: PartFailure[] = [];
	private uploadCounter = 0;

	operations(): string[] {
		return this.requests.map((r) => r.operation);
	}

	/** The SDK `requestHandler`: anything with `handle(request)`. */
	get handler() {
		return { handle: (request: SdkRequest) => this.handle(request), updateHttpClientConfig: () => {}, httpHandlerConfigs: () => ({}) };
	}

	private async handle(request: SdkRequest) {
		const body = await readBody(request.body);
		const query = request.query ?? {};
		const path = decodeURIComponent(request.path);
		const [, bucket, ...rest] = path.split('/');
		const key = rest.join('/');
		const method = request.method;
		let operation = 'Other';
		if (!key && method === 'PUT') operation = 'CreateBucket';
		else if (!key && method === 'GET' && bucket) operation = 'ListObjectsV2';
		else if (method === 'POST' && 'uploads' in query) operation = 'CreateMultipartUpload';
		else if (method === 'PUT' && 'partNumber' in query) operation = 'UploadPart';
		else if (method === 'POST' && 'uploadId' in query) operation = 'CompleteMultipartUpload';
		else if (method === 'DELETE' && 'uploadId' in query) operation = 'AbortMultipartUpload';
		else if (method === 'PUT') operation = 'PutObject';
		else if (method === 'HEAD') operation = 'HeadObject';
		else if (method === 'GET') operation = 'GetObject';
		const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
		this.requests.push({ method, path, query, headers, bodySize: body.length, body, operation });
		const objectId = `${bucket}/${key}`;

		switch (operation) {
			case 'CreateBucket':
				return response(200);
			case 'PutObject':
				this.objects.set(objectId, { body, headers });
				return response(200, '', { etag: '"put-etag"' });
			case 'CreateMultipartUpload': {
				const id = `upload-${++this.uploadCounter}`;
				this.uploads.set(id, { key: objectId, parts: new Map(), aborted: false, completed: false });
				return response(200, `<?xml version="1.0"?><InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
			}
			case 'UploadPart': {
				const upload = this.uploads.get(String(query.uploadId));
				if (!upload || upload.aborted) return response(404, errorXml('NoSuchUpload'));
				const n = Number(query.partNumber);
				const failure = this.partFailures.find((f) => f.partNumber === n && (f.times ?? 1) > 0);
				if (failure) {
					failure.times = (failure.times ?? 1) - 1;
					return response(failure.status ?? 500, errorXml(failure.code ?? 'InternalError'));
				}
				upload.parts.set(n, body);
				return response(200, '', { etag: `"part-${n}"` });
			}
			case 'CompleteMultipartUpload': {
				const upload = this.uploads.get(String(query.uploadId));
				if (!upload || upload.aborted) return response(404, errorXml('NoSuchUpload'));
				const numbers = [...body.toString().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
				this.objects.set(upload.key, { body: Buffer.concat(numbers.map((n) => upload.parts.get(n) ?? Buffer.alloc(0))), headers });
				upload.completed = true;
				return response(200, `<?xml version="1.0"?><CompleteMultipartUploadResult><ETag>"mp-etag"</ETag></CompleteMultipartUploadResult>`);
			}
			case 'AbortMultipartUpload': {
				const upload = this.uploads.get(String(query.uploadId));
				if (upload) upload.aborted = true;
				return response(204);
			}
			default:
				return response(501, errorXml('NotImplemented'));
		}
	}
}
