process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { S4InputError, S4_REGIONS, createS4Client, endpointForRegion, resolveS4Endpoint } from '../../../core/s4';
import { FakeS3 } from './fake-s3';

describe('regions and endpoints', () => {
	test('the four MEGA regions map to s3.<region>.s4.mega.io', () => {
		expect(S4_REGIONS.map((r) => [r.region, r.endpoint])).toEqual([
			['eu-central-1', 'https://s3.eu-central-1.s4.mega.io'],
			['eu-central-2', 'https://s3.eu-central-2.s4.mega.io'],
			['ca-central-1', 'https://s3.ca-central-1.s4.mega.io'],
			['ca-west-1', 'https://s3.ca-west-1.s4.mega.io'],
		]);
		expect(endpointForRegion('ap-east-9')).toBe('https://s3.ap-east-9.s4.mega.io');
		expect(() => endpointForRegion('not a region')).toThrow(S4InputError);
	});

	test('a custom endpoint wins over the region and must be an http(s) URL', () => {
		expect(resolveS4Endpoint({ region: 'ca-west-1', endpoint: 'http://127.0.0.1:9000/' })).toBe('http://127.0.0.1:9000');
		expect(resolveS4Endpoint({ region: 'ca-west-1' })).toBe('https://s3.ca-west-1.s4.mega.io');
		expect(resolveS4Endpoint({})).toBe('https://s3.eu-central-1.s4.mega.io');
		expect(() => resolveS4Endpoint({ endpoint: 'ftp://x' })).toThrow(/must start with https:\/\/ or http:\/\//);
		expect(() => resolveS4Endpoint({ endpoint: 'not a url' })).toThrow(/not a valid endpoint URL/);
	});

	test('missing keys are an input error', () => {
		expect(() => createS4Client({ accessKeyId: '', secretAccessKey: 'x' })).toThrow(S4InputError);
	});
});

describe('client settings', () => {
	const client = createS4Client({ accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'eu-central-1' });

	test('path style, checksums only when required, one attempt per upload request', async () => {
		for (const s3 of [client.s3, client.uploadS3]) {
			expect(s3.config.forcePathStyle).toBe(true);
			expect(await s3.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
			expect(await s3.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
			expect(await s3.config.region()).toBe('eu-central-1');
		}
		expect(await client.s3.config.maxAttempts()).toBe(3);
		expect(await client.uploadS3.config.maxAttempts()).toBe(1);
	});

	test('path style can be switched off', () => {
		expect(createS4Client({ accessKeyId: 'a', secretAccessKey: 'b', forcePathStyle: false }).s3.config.forcePathStyle).toBe(false);
	});
});

describe('what goes on the wire (captured by a fake request handler)', () => {
	const fake = new FakeS3();
	const client = createS4Client({ accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'eu-central-1', endpoint: 'http://s4.test', requestHandler: fake.handler });
	beforeEach(() => (fake.requests = []));

	test('CreateBucket outside us-east-1 goes without the LocationConstraint body the SDK would add', async () => {
		await client.s3.send(new CreateBucketCommand({ Bucket: 'my-bucket' }));
		const [request] = fake.requests;
		expect(request.operation).toBe('CreateBucket');
		expect(request.path).toMatch(/^\/my-bucket\/?$/);
		expect(request.bodySize).toBe(0);
		expect(request.body.toString()).not.toMatch(/LocationConstraint/);
	});

	test('without the S4 client the stock SDK would send the LocationConstraint body (what the middleware removes)', async () => {
		const stock = new S3Client({
			region: 'eu-central-1',
			endpoint: 'http://s4.test',
			forcePathStyle: true,
			credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
			requestHandler: fake.handler,
		});
		await stock.send(new CreateBucketCommand({ Bucket: 'my-bucket' }));
		expect(fake.requests[0].body.toString()).toMatch(/<LocationConstraint>eu-central-1<\/LocationConstraint>/);
	});

	test('the strip middleware removes an explicit LocationConstraint too', async () => {
		await client.s3.send(new CreateBucketCommand({ Bucket: 'my-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } }));
		expect(fake.requests[0].bodySize).toBe(0);
	});

	test('PutObject (Buffer and stream) carries no checksum headers and no aws-chunked encoding', async () => {
		await client.uploadS3.send(new PutObjectCommand({ Bucket: 'my-bucket', Key: 'a.txt', Body: Buffer.from('hello') }));
		await client.uploadS3.send(new PutObjectCommand({ Bucket: 'my-bucket', Key: 'b.txt', Body: Readable.from([Buffer.from('hello')]), ContentLength: 5 }));
		for (const request of fake.requests) {
			const names = Object.keys(request.headers);
			expect(names.filter((h) => h.startsWith('x-amz-checksum') || h === 'x-amz-sdk-checksum-algorithm' || h === 'x-amz-trailer')).toEqual([]);
			expect(request.headers['content-encoding'] ?? '').not.toMatch(/aws-chunked/);
			expect(request.headers['x-amz-content-sha256']).not.toMatch(/^STREAMING-/);
			expect(request.path.startsWith('/my-bucket/')).toBe(true);
		}
		expect(fake.objects.get('my-bucket/b.txt')?.body.toString()).toBe('hello');
	});

	test('GetObject does not ask for checksum mode', async () => {
		await client.s3.send(new GetObjectCommand({ Bucket: 'my-bucket', Key: 'a.txt' })).catch(() => undefined);
		expect(fake.requests[0].headers['x-amz-checksum-mode']).toBeUndefined();
	});
});
