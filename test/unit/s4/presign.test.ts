process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import {
	PRESIGN_DEFAULT_SECONDS,
	PRESIGN_MAX_SECONDS,
	S4InputError,
	createS4Client,
	presignUrl,
	validatePresignExpiry,
} from '../../../core/s4';

const client = createS4Client({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', region: 'eu-central-2' });

describe('presign expiry bounds', () => {
	test('default is one hour', () => {
		expect(PRESIGN_DEFAULT_SECONDS).toBe(3600);
		expect(validatePresignExpiry(undefined)).toBe(3600);
	});

	test('1 second and 7 days are the inclusive bounds', () => {
		expect(validatePresignExpiry(1)).toBe(1);
		expect(validatePresignExpiry(604800)).toBe(604800);
		expect(PRESIGN_MAX_SECONDS).toBe(604800);
	});

	test.each([
		[604801, 'presign-expiry-max'],
		[30 * 24 * 3600, 'presign-expiry-max'],
		[0, 'presign-expiry-min'],
		[-5, 'presign-expiry-min'],
		[1.5, 'presign-expiry-integer'],
		[Number.NaN, 'presign-expiry-integer'],
	])('%p seconds is an input error (%s)', (seconds, rule) => {
		let caught: unknown;
		try {
			validatePresignExpiry(seconds);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(S4InputError);
		expect((caught as S4InputError).rule).toBe(rule);
		expect((caught as S4InputError).input).toBe(true);
	});

	test('longer than 7 days says so in words', () => {
		expect(() => validatePresignExpiry(604801)).toThrow('The URL expiry of 604801 seconds is longer than the 7 days (604800 seconds) S4 allows');
	});
});

describe('presigned URLs', () => {
	const signingDate = new Date('2026-11-23T10:00:00Z');

	test('GET: path style on the region endpoint, default expiry, no checksum parameters', async () => {
		const presigned = await presignUrl(client, { method: 'GET', bucket: 'my-bucket', key: 'reports/q 1+.pdf', signingDate });
		const url = new URL(presigned.url);
		expect(url.origin).toBe('https://s3.eu-central-2.s4.mega.io');
		expect(url.pathname).toBe('/my-bucket/reports/q%201%2B.pdf');
		expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
		expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20261123/eu-central-2/s3/aws4_request');
		expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
		expect(presigned).toMatchObject({ method: 'GET', expiresIn: 3600, expiresAt: '2026-11-23T11:00:00.000Z', headers: {} });
	});

	test('PUT: Content-Type is a signed header the uploader must send; no x-amz-checksum-crc32 in the URL', async () => {
		const presigned = await presignUrl(client, { method: 'PUT', bucket: 'my-bucket', key: 'in/photo.png', contentType: 'image/png', expiresIn: 600, signingDate });
		const url = new URL(presigned.url);
		expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
		expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
		expect(url.search).not.toMatch(/checksum/i);
		expect(presigned.headers).toEqual({ 'Content-Type': 'image/png' });
	});

	test('over 7 days is refused before signing', async () => {
		await expect(presignUrl(client, { method: 'GET', bucket: 'my-bucket', key: 'a', expiresIn: PRESIGN_MAX_SECONDS + 1 })).rejects.toMatchObject({
			rule: 'presign-expiry-max',
		});
	});

	test('POST is not offered (S4 has no presigned POST)', async () => {
		await expect(presignUrl(client, { method: 'POST' as 'GET', bucket: 'my-bucket', key: 'a' })).rejects.toMatchObject({ rule: 'presign-method' });
	});
});
