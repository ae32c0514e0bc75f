/**
 * The strict S4 proxy: a small HTTP proxy in front of the RADOS Gateway that refuses what real MEGA S4 refuses and
 * the gateway tolerates (s4.md §1.5, meganz/s4-specs):
 * - `x-amz-checksum-*` / `x-amz-sdk-checksum-algorithm` / `x-amz-checksum-algorithm` / `x-amz-checksum-mode` headers
 *   (in headers or, for presigned URLs, in the query), except one checksum on DeleteObjects, which S4 needs;
 * - `aws-chunked` bodies (streaming SigV4 payloads);
 * - multipart parts that are empty, under 5 MiB when not last, of unequal size (all but the last must be equal, the
 *   last no larger), or sent twice under the same part number; a Complete with gaps or missing parts.
 *   Like S4, any multipart violation aborts the whole upload (later requests on it get NoSuchUpload);
 * - a CreateBucket body (LocationConstraint); a CreateBucket for a bucket that exists (S4 always answers
 *   BucketAlreadyOwnedByYou, RGW answers 200 to its owner);
 * - `response-content-disposition` / `response-expires` on GetObject.
 * Every refusal carries the header `x-s4-proxy-rule` naming the rule, and is recorded in `rejections`.
 * Requests are streamed through; only CreateBucket, Complete and DeleteObjects bodies (small XML) are buffered.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const MIN_PART_BYTES = 5 * 1024 * 1024;

export type S4Operation =
	| 'ListBuckets'
	| 'CreateBucket'
	| 'DeleteBucket'
	| 'HeadBucket'
	| 'ListObjects'
	| 'PutObject'
	| 'CopyObject'
	| 'GetObject'
	| 'HeadObject'
	| 'DeleteObject'
	| 'DeleteObjects'
	| 'CreateMultipartUpload'
	| 'UploadPart'
	| 'UploadPartCopy'
	| 'CompleteMultipartUpload'
	| 'AbortMultipartUpload'
	| 'ListParts'
	| 'Other';

export interface ProxyRequestRecord {
	method: string;
	url: string;
	operation: S4Operation;
	status?: number;
	rule?: string;
	partNumber?: number;
	uploadId?: string;
	contentLength?: number;
}

export interface Rejection {
	rule: string;
	code: string;
	status: number;
	message: string;
	method: string;
	url: string;
	operation: S4Operation;
}

export interface PartFault {
	/** Which part number to fail (any part when omitted). */
	partNumber?: number;
	/** How many matching requests to fail (default 1). */
	times?: number;
	status?: number;
	code?: string;
}

export interface StrictS4Proxy {
	url: string;
	port: number;
	requests: ProxyRequestRecord[];
	rejections: Rejection[];
	faults: {
		/** Answer the next matching UploadPart with an error after reading its body (the part number counts as used, as on S4). */
		failUploadPart(fault?: PartFault): void;
		clear(): void;
	};
	/** Forget recorded requests and rejections. */
	reset(): void;
	close(): Promise<void>;
}

export interface StrictS4ProxyOptions {
	/** The gateway, e.g. http://127.0.0.1:7480 */
	target: string;
	/** 0 (default) = any free port. */
	port?: number;
	host?: string;
}

interface UploadState {
	parts: Map<number, number>;
	succeeded: Set<number>;
	state: 'open' | 'aborted' | 'completed';
	abortReason?: string;
}

class Refusal extends Error {
	constructor(
		readonly rule: string,
		readonly code: string,
		readonly status: number,
		message: string,
		readonly abortUpload = false,
	) {
		super(message);
	}
}

function classify(method: string, pathname: string, query: URLSearchParams, headers: http.IncomingHttpHeaders): { op: S4Operation; bucket?: string; key?: string } {
	const parts = pathname.replace(/^\/+/, '').split('/');
	const bucket = parts[0] ? decodeURIComponent(parts[0]) : undefined;
	const key = parts.length > 1 && parts.slice(1).join('/') !== '' ? decodeURIComponent(parts.slice(1).join('/')) : undefined;
	if (!bucket) return { op: method === 'GET' ? 'ListBuckets' : 'Other' };
	if (!key) {
		if (method === 'PUT' && [...query.keys()].length === 0) return { op: 'CreateBucket', bucket };
		if (method === 'DELETE' && [...query.keys()].length === 0) return { op: 'DeleteBucket', bucket };
		if (method === 'HEAD') return { op: 'HeadBucket', bucket };
		if (method === 'POST' && query.has('delete')) return { op: 'DeleteObjects', bucket };
		if (method === 'GET' && !query.has('uploads')) return { op: 'ListObjects', bucket };
		return { op: 'Other', bucket };
	}
	if (query.has('uploadId')) {
		if (method === 'PUT' && query.has('partNumber')) return { op: headers['x-amz-copy-source'] ? 'UploadPartCopy' : 'UploadPart', bucket, key };
		if (method === 'POST') return { op: 'CompleteMultipartUpload', bucket, key };
		if (method === 'DELETE') return { op: 'AbortMultipartUpload', bucket, key };
		if (method === 'GET') return { op: 'ListParts', bucket, key };
	}
	if (method === 'POST' && query.has('uploads')) return { op: 'CreateMultipartUpload', bucket, key };
	if (method === 'PUT') return { op: headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject', bucket, key };
	if (method === 'GET') return { op: 'GetObject', bucket, key };
	if (method === 'HEAD') return { op: 'HeadObject', bucket, key };
	if (method === 'DELETE') return { op: 'DeleteObject', bucket, key };
	return { op: 'Other', bucket, key };
}

const CHECKSUM_HEADER = /^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/;
const CHECKSUM_CONTROL_HEADERS = ['x-amz-sdk-checksum-algorithm', 'x-amz-checksum-algorithm', 'x-amz-checksum-mode', 'x-amz-checksum-type'];

function checkHeadersAndQuery(op: S4Operation, headers: http.IncomingHttpHeaders, query: URLSearchParams): void {
	const encoding = String(headers['content-encoding'] ?? '').toLowerCase();
	const sha = String(headers['x-amz-content-sha256'] ?? '');
	if (encoding.split(',').map((s) => s.trim()).includes('aws-chunked') || sha.startsWith('STREAMING-') || headers['x-amz-decoded-content-length'] || headers['x-amz-trailer']) {
		throw new Refusal('aws-chunked', 'NotImplemented', 501, `S4 (as enforced here) does not accept aws-chunked / streaming SigV4 bodies (x-amz-content-sha256: ${sha || 'none'})`);
	}
	const checksumHeaders = Object.keys(headers).filter((h) => CHECKSUM_HEADER.test(h));
	const controlHeaders = Object.keys(headers).filter((h) => CHECKSUM_CONTROL_HEADERS.includes(h));
	if (op === 'DeleteObjects') {
		// S4 requires Content-MD5 or exactly one checksum header here (s4.md §1.5).
		if (checksumHeaders.length > 1) {
			throw new Refusal('delete-objects-one-checksum', 'InvalidRequest', 400, `DeleteObjects accepts only one checksum header; got ${checksumHeaders.join(', ')}`);
		}
		if (checksumHeaders.length === 0 && !headers['content-md5']) {
			throw new Refusal('delete-objects-needs-checksum', 'InvalidRequest', 400, 'DeleteObjects requires Content-MD5 or one x-amz-checksum-* header');
		}
	} else {
		const offending = [...checksumHeaders, ...controlHeaders];
		if (offending.length > 0) {
			throw new Refusal('checksum-header', 'NotImplemented', 501, `S4 does not support the header(s) ${offending.join(', ')} on ${op}`);
		}
	}
	const queryChecksums = [...query.keys()].filter((k) => CHECKSUM_HEADER.test(k.toLowerCase()) || CHECKSUM_CONTROL_HEADERS.includes(k.toLowerCase()));
	if (queryChecksums.length > 0) {
		throw new Refusal('checksum-query', 'NotImplemented', 501, `S4 does not support the signed query parameter(s) ${queryChecksums.join(', ')}`);
	}
	if (op === 'GetObject') {
		for (const name of ['response-content-disposition', 'response-expires']) {
			if (query.has(name)) throw new Refusal('response-override', 'InvalidArgument', 400, `S4 does not support the ${name} parameter on GetObject`);
		}
	}
	if ((op === 'PutObject' || op === 'UploadPart') && headers['content-length'] === undefined) {
		throw new Refusal('content-length', 'MissingContentLength', 411, `${op} needs a Content-Length`);
	}
}

/** All parts but the highest-numbered must be equal and at least 5 MiB; the highest may not be larger. */
function checkPartSizes(parts: Map<number, number>): void {
	if (parts.size === 0) return;
	const maxNumber = Math.max(...parts.keys());
	const last = parts.get(maxNumber) as number;
	let full: number | undefined;
	for (const [n, size] of parts) {
		if (n === maxNumber) continue;
		if (size < MIN_PART_BYTES) throw new Refusal('part-too-small', 'EntityTooSmall', 400, `Part ${n} is ${size} bytes; every part but the last must be at least 5 MiB`, true);
		if (full === undefined) full = size;
		else if (size !== full) throw new Refusal('part-sizes-unequal', 'InvalidPart', 400, `Part ${n} is ${size} bytes but other parts are ${full}; all parts but the last must be the same size`, true);
	}
	if (full !== undefined && last > full) {
		throw new Refusal('last-part-larger', 'InvalidPart', 400, `The last part (${maxNumber}) is ${last} bytes, larger than the other parts (${full})`, true);
	}
}

function errorXml(code: string, message: string, resource: string, requestId: string): string {
	const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
	return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message><Resource>${esc(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
}

function readBody(req: http.IncomingMessage, limit = 4 * 1024 * 1024): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let length = 0;
		req.on('data', (c: Buffer) => {
			length += c.length;
			if (length > limit) {
				req.destroy();
				reject(new Error('body too large for the proxy buffer'));
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export async function startStrictS4Proxy(options: StrictS4ProxyOptions): Promise<StrictS4Proxy> {
	const target = new URL(options.target);
	const uploads = new Map<string, UploadState>();
	/** Buckets created (and not deleted) through this proxy. */
	const knownBuckets = new Set<string>();
	const requests: ProxyRequestRecord[] = [];
	const rejections: Rejection[] = [];
	let partFaults: Array<Required<Pick<PartFault, 'times' | 'status' | 'code'>> & { partNumber?: number }> = [];
	let requestCounter = 0;
	const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

	const uploadState = (id: string): UploadState => {
		let state = uploads.get(id);
		if (!state) {
			state = { parts: new Map(), succeeded: new Set(), state: 'open' };
			uploads.set(id, state);
		}
		return state;
	};

	const refuse = (req: http.IncomingMessage, res: http.ServerResponse, record: ProxyRequestRecord, refusal: Refusal) => {
		record.status = refusal.status;
		record.rule = refusal.rule;
		rejections.push({ rule: refusal.rule, code: refusal.code, status: refusal.status, message: refusal.message, method: record.method, url: record.url, operation: record.operation });
		const body = req.method === 'HEAD' ? '' : errorXml(refusal.code, refusal.message, record.url.split('?')[0], `s4proxy-${++requestCounter}`);
		res.writeHead(refusal.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-s4-proxy-rule': refusal.rule });
		res.end(body);
		// Drain what the client still sends so the connection stays usable.
		if (!req.readableEnded) req.resume();
	};

	const forward = (req: http.IncomingMessage, res: http.ServerResponse, record: ProxyRequestRecord, body?: Buffer, onResponse?: (status: number) => void) => {
		const headers = { ...req.headers };
		if (body) headers['content-length'] = String(body.length);
		const upstream = http.request(
			{ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
			(up) => {
				record.status = up.statusCode;
				onResponse?.(up.statusCode ?? 0);
				res.writeHead(up.statusCode ?? 502, up.headers);
				up.pipe(res);
			},
		);
		upstream.on('error', (error) => {
			if (!res.headersSent) {
				const xml = errorXml('ServiceUnavailable', `The gateway behind the S4 proxy failed: ${error.message}`, record.url, `s4proxy-${++requestCounter}`);
				res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
				res.end(xml);
			} else {
				res.destroy(error);
			}
		});
		req.on('aborted', () => upstream.destroy());
		if (body) upstream.end(body);
		else req.pipe(upstream);
	};

	const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
		const url = new URL(req.url ?? '/', 'http://proxy.invalid');
		const { op, bucket } = classify(req.method ?? 'GET', url.pathname, url.searchParams, req.headers);
		const contentLength = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
		const record: ProxyRequestRecord = { method: req.method ?? 'GET', url: req.url ?? '/', operation: op, contentLength };
		requests.push(record);
		try {
			checkHeadersAndQuery(op, req.headers, url.searchParams);

			if (op === 'CreateBucket') {
				const body = await readBody(req);
				if (body.length > 0) {
					const text = body.toString('utf8');
					throw new Refusal(
						'create-bucket-body',
						'NotImplemented',
						501,
						/LocationConstraint/.test(text) ? 'S4 does not support a CreateBucketConfiguration/LocationConstraint body on CreateBucket' : 'S4 does not support a CreateBucket body',
					);
				}
				if (bucket && knownBuckets.has(bucket)) {
					throw new Refusal('bucket-exists', 'BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.');
				}
				forward(req, res, record, body, (status) => {
					if (bucket && status >= 200 && status < 300) knownBuckets.add(bucket);
				});
				return;
			}

			if (op === 'DeleteBucket') {
				forward(req, res, record, undefined, (status) => {
					if (bucket && status >= 200 && status < 300) knownBuckets.delete(bucket);
				});
				return;
			}

			const uploadId = url.searchParams.get('uploadId') ?? undefined;
			record.uploadId = uploadId;
			const state = uploadId ? uploadState(uploadId) : undefined;
			if (state && state.state !== 'open' && op !== 'AbortMultipartUpload') {
				throw new Refusal('upload-gone', 'NoSuchUpload', 404, `The multipart upload was ${state.state}${state.abortReason ? ` (${state.abortReason})` : ''}`);
			}

			if (op === 'UploadPart' && state) {
				const partNumber = Number(url.searchParams.get('partNumber'));
				record.partNumber = partNumber;
				if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
					throw new Refusal('part-number-range', 'InvalidArgument', 400, `Part number ${url.searchParams.get('partNumber')} is outside 1..10000`);
				}
				if (state.parts.has(partNumber)) {
					throw new Refusal('part-resent', 'InvalidPart', 400, `Part ${partNumber} was already sent in this upload; S4 does not accept a part number twice`, true);
				}
				const size = contentLength ?? 0;
				if (size === 0) {
					state.parts.set(partNumber, 0);
					throw new Refusal('part-empty', 'InvalidPart', 400, `Part ${partNumber} is empty`, true);
				}
				state.parts.set(partNumber, size);
				checkPartSizes(state.parts);
				const faultIndex = partFaults.findIndex((f) => f.partNumber === undefined || f.partNumber === partNumber);
				if (faultIndex >= 0) {
					const fault = partFaults[faultIndex];
					if (--fault.times <= 0) partFaults.splice(faultIndex, 1);
					await new Promise<void>((resolve) => {
						req.resume();
						req.on('end', resolve);
						req.on('error', resolve);
					});
					throw new Refusal('injected-part-fault', fault.code, fault.status, `Injected failure of part ${partNumber}`);
				}
				forward(req, res, record, undefined, (status) => {
					if (status >= 200 && status < 300) state.succeeded.add(partNumber);
				});
				return;
			}

			if (op === 'CompleteMultipartUpload' && state) {
				const body = await readBody(req);
				const listed = [...body.toString('utf8').matchAll(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/g)].map((m) => Number(m[1]));
				for (let i = 0; i < listed.length; i++) {
					if (listed[i] !== i + 1) {
						throw new Refusal('complete-gap', 'InvalidPart', 400, `Complete lists parts ${listed.join(',')}; S4 needs exactly 1..N with no gaps`, true);
					}
				}
				const missing = [...state.succeeded].filter((n) => !listed.includes(n));
				if (missing.length > 0 || listed.some((n) => !state.succeeded.has(n))) {
					throw new Refusal('complete-parts-mismatch', 'InvalidPart', 400, `Complete must list every uploaded part and only those (uploaded: ${[...state.succeeded].sort((a, b) => a - b).join(',')}; listed: ${listed.join(',')})`, true);
				}
				const listedSizes = new Map(listed.map((n) => [n, state.parts.get(n) ?? 0]));
				checkPartSizes(listedSizes);
				forward(req, res, record, body, (status) => {
					if (status >= 200 && status < 300) state.state = 'completed';
				});
				return;
			}

			if (op === 'AbortMultipartUpload' && state) {
				if (state.state !== 'open') {
					// S4 answers NoSuchUpload for an upload it already aborted; still let the gateway clean up its parts.
					const reason = state.state;
					const cleanup = http.request({ host: target.hostname, port: target.port, method: 'DELETE', path: req.url, headers: req.headers, agent }, (up) => up.resume());
					cleanup.on('error', () => {});
					cleanup.end();
					throw new Refusal('upload-gone', 'NoSuchUpload', 404, `The multipart upload was already ${reason}`);
				}
				forward(req, res, record, undefined, (status) => {
					if (status >= 200 && status < 300) state.state = 'aborted';
				});
				return;
			}

			if (op === 'DeleteObjects') {
				forward(req, res, record, await readBody(req));
				return;
			}

			forward(req, res, record);
		} catch (error) {
			if (error instanceof Refusal) {
				if (error.abortUpload && record.uploadId) {
					const state = uploadState(record.uploadId);
					state.state = 'aborted';
					state.abortReason = error.message;
				}
				refuse(req, res, record, error);
				return;
			}
			const message = error instanceof Error ? error.message : String(error);
			refuse(req, res, record, new Refusal('proxy-internal', 'InternalError', 500, message));
		}
	};

	const server = http.createServer((req, res) => void handle(req, res));
	server.keepAliveTimeout = 30_000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests,
		rejections,
		faults: {
			failUploadPart(fault: PartFault = {}) {
				partFaults.push({ partNumber: fault.partNumber, times: fault.times ?? 1, status: fault.status ?? 500, code: fault.code ?? 'InternalError' });
			},
			clear() {
				partFaults = [];
			},
		},
		reset() {
			requests.length = 0;
			rejections.length = 0;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
				agent.destroy();
			}),
	};
}
