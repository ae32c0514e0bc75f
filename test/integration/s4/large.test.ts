import { createBucket, downloadObject, headObject, uploadObject } from '../../../core/s4';
import { SANDBOX_START_TIMEOUT_MS, startS4TestEnv, type S4TestEnv } from './sandbox-env';
import { patternSlice, patternStream, sha256Of } from './stream-source';

const MIB = 1024 * 1024;
const SIZE = 256 * MIB + 12_345;

let env: S4TestEnv;
beforeAll(async () => {
	env = await startS4TestEnv();
	await createBucket(env.client, 'large');
}, SANDBOX_START_TIMEOUT_MS);
afterAll(async () => {
	await env?.stop();
});

test('256 MiB streamed up in equal parts and streamed back byte-identical, then read by range', async () => {
	const expected = await sha256Of(patternStream(SIZE));
	const uploadStarted = Date.now();
	const result = await uploadObject(env.client, { bucket: 'large', key: 'big/256.bin', source: { size: SIZE, open: () => patternStream(SIZE) }, contentType: 'application/octet-stream' });
	expect(result).toMatchObject({ multipart: true, parts: 33, attempts: 1 });

	const sizes = env.proxy.requests
		.filter((r) => r.operation === 'UploadPart')
		.sort((a, b) => (a.partNumber ?? 0) - (b.partNumber ?? 0))
		.map((r) => r.contentLength);
	expect(sizes).toHaveLength(33);
	expect(sizes.slice(0, -1).every((s) => s === 8 * MIB)).toBe(true);
	expect(sizes[sizes.length - 1]).toBe(12_345);
	expect(env.proxy.rejections).toEqual([]);
	expect((await headObject(env.client, 'large', 'big/256.bin')).size).toBe(SIZE);

	const uploadMs = Date.now() - uploadStarted;
	const downloadStarted = Date.now();
	const download = await downloadObject(env.client, { bucket: 'large', key: 'big/256.bin' });
	expect(download.size).toBe(SIZE);
	expect(await sha256Of(download.body)).toEqual(expected);
	const downloadMs = Date.now() - downloadStarted;
	// A figure for the log, not an assertion (speed belongs in benchmarks).
	process.stdout.write(`s4 256 MiB round trip: ${JSON.stringify({ uploadMs, downloadMs, uploadMiBps: +((SIZE / MIB) / (uploadMs / 1000)).toFixed(1), downloadMiBps: +((SIZE / MIB) / (downloadMs / 1000)).toFixed(1) })}\n`);

	const start = 200 * MIB + 3;
	const ranged = await downloadObject(env.client, { bucket: 'large', key: 'big/256.bin', range: { start, end: start + MIB - 1 } });
	expect(ranged).toMatchObject({ size: MIB, totalSize: SIZE, contentRange: `bytes ${start}-${start + MIB - 1}/${SIZE}` });
	const chunks: Buffer[] = [];
	for await (const c of ranged.body) chunks.push(c as Buffer);
	expect(Buffer.concat(chunks).equals(patternSlice(start, start + MIB))).toBe(true);
}, 300_000);
