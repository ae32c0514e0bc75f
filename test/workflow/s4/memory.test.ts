/**
 * Memory stays flat while 256 MiB go up to S4 and back through the n8n engine: measured in a fresh child process
 * (a jest worker's RSS is polluted), RSS growth must stay under 100 MiB.
 */
import { join } from 'node:path';
import { createBucket } from '../../../core/s4';
import { runInChild } from '../../support/run-in-child';
import { SANDBOX_START_TIMEOUT_MS, startS4TestEnv, type S4TestEnv } from '../../integration/s4/sandbox-env';
import type { s4RoundTrip } from './fixtures/s4-roundtrip';

const MIB = 1024 * 1024;
let env: S4TestEnv;
beforeAll(async () => {
	env = await startS4TestEnv();
	await createBucket(env.client, 'memory');
}, SANDBOX_START_TIMEOUT_MS);
afterAll(async () => {
	await env?.stop();
});

test('256 MiB upload + download through the engine: byte-identical, streamed, RSS growth under 100 MiB', async () => {
	const { result, memory } = await runInChild<Awaited<ReturnType<typeof s4RoundTrip>>>(
		join(__dirname, 'fixtures', 's4-roundtrip.ts'),
		's4RoundTrip',
		{ mib: 256, bucket: 'memory', credential: env.credential },
		{ timeoutMs: 280_000 },
	);
	expect(result.uploaded).toMatchObject({ size: 256 * MIB, multipart: true, parts: 32 });
	expect(result.downloadedId).toMatch(/^filesystem-v2:/);
	expect(result.read).toMatchObject({ sha256: result.made.sha256, size: 256 * MIB, streamed: true });
	expect(env.proxy.rejections).toEqual([]);
	process.stdout.write(`s4 memory: ${JSON.stringify({ peakRssGrowthMiB: +(memory.peakRssGrowthBytes / MIB).toFixed(1), baselineRssMiB: +(memory.baselineRssBytes / MIB).toFixed(1) })}\n`);
	expect(memory.peakRssGrowthBytes).toBeLessThan(100 * MIB);
}, 300_000);
