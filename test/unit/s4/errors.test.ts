import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';
import { S4InputError, S4NetworkError, S4ServiceError, mapS4Error } from '../../../core/s4';
import { failureFromCategory, toNodeError } from '../../../nodes/shared';

/** The shape the AWS SDK throws for an S3 error answer. */
const sdkError = (name: string, status: number, message = name) =>
	Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status, requestId: 'req-1' } });

const node: INode = { id: '1', name: 'MEGA S4', type: 'n8n-nodes-mega.megaS4', typeVersion: 1, position: [0, 0], parameters: {} };

describe('mapS4Error', () => {
	test.each([
		['SignatureDoesNotMatch', 403, 'credential-invalid', false],
		['InvalidAccessKeyId', 403, 'credential-invalid', false],
		['NoSuchBucket', 404, 'not-found', false],
		['NoSuchKey', 404, 'not-found', false],
		['BucketAlreadyOwnedByYou', 409, 'conflict', false],
		['SlowDown', 503, 'rate-limited', true],
		['InternalError', 500, 'temporarily-unavailable', true],
		['EntityTooSmall', 400, 'bad-request', false],
		['AccessDenied', 403, 'access-denied', false],
		['SomethingNew', 502, 'temporarily-unavailable', true],
		['SomethingElse', 400, 'bad-request', false],
	])('%s (HTTP %d) -> %s, retryable %p', (code, status, cause, retryable) => {
		const mapped = mapS4Error(sdkError(code, status), { bucket: 'b', key: 'k' });
		expect(mapped).toBeInstanceOf(S4ServiceError);
		expect(mapped).toMatchObject({ code, cause, retryable, httpStatus: status, requestId: 'req-1' });
		expect((mapped.original as Error).name).toBe(code);
	});

	test('credential errors explain the fix and mention the Pro plan', () => {
		const wrongSecret = mapS4Error(sdkError('SignatureDoesNotMatch', 403));
		expect(wrongSecret.message).toMatch(/secret key does not match the access key/);
		expect(wrongSecret.hint).toMatch(/MEGA Pro plan/);
		expect(mapS4Error(sdkError('InvalidAccessKeyId', 403)).hint).toMatch(/Object storage → Keys/);
	});

	test('messages name the bucket and key', () => {
		expect(mapS4Error(sdkError('NoSuchKey', 404), { bucket: 'docs', key: 'a/b.txt' }).message).toBe('Object "a/b.txt" does not exist in bucket "docs"');
	});

	test('a local failure (no answer from S4) says so instead of inventing an S4 error code', () => {
		const mapped = mapS4Error(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }), { operation: 'upload the object' });
		expect(mapped.message).toBe('Could not upload the object: ENOENT: no such file');
		expect(mapped).toMatchObject({ code: 'ENOENT', cause: 'bad-request', retryable: false });
	});

	test('connection failures become S4NetworkError naming the endpoint', () => {
		const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
		const mapped = mapS4Error(refused, { endpoint: 'http://127.0.0.1:1' });
		expect(mapped).toBeInstanceOf(S4NetworkError);
		expect(mapped.message).toBe('The MEGA S4 endpoint http://127.0.0.1:1 refused the connection');
		expect(mapped).toMatchObject({ cause: 'temporarily-unavailable', retryable: true });
		const dns = mapS4Error(Object.assign(new Error('x'), { code: 'ENOTFOUND' }), { endpoint: 'https://s3.nowhere.s4.mega.io' });
		expect(dns.message).toMatch(/could not be resolved/);
	});
});

describe('nodes/shared error mapping', () => {
	test('input errors become NodeOperationError with the fix as description', () => {
		const error = toNodeError(node, new S4InputError('The URL expiry is too long', 'presign-expiry-max', 'Use at most 604800 seconds.'), 2);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('The URL expiry is too long');
		expect(error.description).toBe('Use at most 604800 seconds.');
	});

	test('remote errors become NodeApiError with httpCode and an n8n failure cause', () => {
		const error = toNodeError(node, mapS4Error(sdkError('SignatureDoesNotMatch', 403)), 0);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/secret key does not match/);
		expect(error.description).toMatch(/Pro plan/);
		expect((error as NodeApiError).httpCode).toBe('403');
		expect((error as unknown as { failure?: unknown }).failure).toEqual({ cause: 'credential-invalid' });
		const slow = toNodeError(node, mapS4Error(sdkError('SlowDown', 503)), 0) as unknown as { failure?: unknown };
		expect(slow.failure).toEqual({ cause: 'rate-limited' });
	});

	test('n8n errors pass through; unknown errors are node defects', () => {
		const existing = new NodeOperationError(node, 'already wrapped');
		expect(toNodeError(node, existing, 0)).toBe(existing);
		const defect = toNodeError(node, new TypeError('x is undefined'), 0) as unknown as { failure?: unknown };
		expect(defect.failure).toEqual({ cause: 'node-defect' });
	});

	test('categories map to n8n failures', () => {
		expect(failureFromCategory('quota-exhausted', 5000)).toEqual({ cause: 'quota-exhausted', retryAfterMs: 5000 });
		expect(failureFromCategory('not-found')).toEqual({ cause: 'configuration-invalid' });
		expect(failureFromCategory('conflict')).toBeUndefined();
	});
});
