/**
 * Request sizes follow the link: on a near link POSTs and GETs stay at the default 2 MiB (memory stays small); once
 * the storage server is more than 30 ms away they grow towards the maximum, in both directions, so per-request latency
 * stops eating the throughput. Counted on the sandbox (requests per endpoint).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { openDownload, uploadFile } from '../../../core/mega/transfer';
import { startTransferFixture, type TransferFixture } from './support/sandbox-session';

const MIB = 1024 * 1024;

async function sha256(stream: Readable): Promise<string> {
	const hash = createHash('sha256');
	for await (const part of stream) hash.update(part as Buffer);
	return hash.digest('hex');
}

describe('request sizes on a near and on a far link', () => {
	let fixture: TransferFixture;
	const data = randomBytes(48 * MIB + 5);
	const digest = createHash('sha256').update(data).digest('hex');
	beforeAll(async () => {
		fixture = await startTransferFixture();
	});
	afterAll(async () => {
		await fixture.close();
	});
	afterEach(() => fixture.sandbox.faults.clear());

	/** Uploads and downloads `data`; returns how many POSTs and GETs the storage server saw, and the biggest POST. */
	const roundTrip = async (): Promise<{ posts: number; gets: number; biggestPost: number }> => {
		fixture.sandbox.resetCounters();
		let biggestPost = 0;
		let acknowledged = 0;
		const uploaded = await uploadFile(fixture.session.api, {
			parentHandle: fixture.account.rootHandle,
			name: 'far.bin',
			source: data,
			masterKey: fixture.session.masterKey,
			// Progress moves by one acknowledged POST at a time.
			onProgress: ({ bytesDone }) => {
				biggestPost = Math.max(biggestPost, bytesDone - acknowledged);
				acknowledged = bytesDone;
			},
		});
		const posts = fixture.sandbox.counters().endpoints.upload;
		fixture.sandbox.resetCounters();
		const downloaded = await sha256(await openDownload(fixture.session.api, { source: { handle: uploaded.handle }, key: uploaded.nodeKey }));
		expect(downloaded).toBe(digest);
		return { posts, gets: fixture.sandbox.counters().endpoints.download, biggestPost };
	};

	it('keeps 2 MiB requests on a near link', async () => {
		const { posts, gets, biggestPost } = await roundTrip();
		// 48 MiB in requests of at most 2 MiB.
		expect(biggestPost).toBeLessThanOrEqual(2 * MIB);
		expect(posts).toBeGreaterThanOrEqual(24);
		expect(gets).toBeGreaterThanOrEqual(24);
	});

	it('grows POSTs and GETs when the storage server is 40 ms away', async () => {
		// A far link: 40 ms before each request is answered, 50 MB/s per connection.
		fixture.sandbox.faults.add({ kind: 'latency', ms: 40 });
		fixture.sandbox.faults.add({ kind: 'bandwidth', bytesPerSecond: 50_000_000, endpoint: ['upload', 'download'] });
		// A first round of small requests measures the latency, then up to 16 MiB per request. The fewest requests of up
		// to three round trips: a busy machine (other test workers on two cores) can hold one try's sockets back long
		// enough to blur the latency it measures, while a link that never grows its requests (24+ each way) fails them all.
		let best = { posts: Infinity, gets: Infinity, biggestPost: 0 };
		for (let attempt = 0; attempt < 3 && !(best.posts <= 12 && best.gets <= 12 && best.biggestPost >= 8 * MIB); attempt++) {
			const trip = await roundTrip();
			best = { posts: Math.min(best.posts, trip.posts), gets: Math.min(best.gets, trip.gets), biggestPost: Math.max(best.biggestPost, trip.biggestPost) };
		}
		expect(best.biggestPost).toBeGreaterThanOrEqual(8 * MIB);
		expect(best.posts).toBeLessThanOrEqual(12);
		expect(best.gets).toBeLessThanOrEqual(12);
	});
});
