/**
 * Memory stays flat while 256 MiB go up to MEGA and back through the MEGA Cloud node in n8n's engine: measured in a
 * fresh child process (a jest worker's RSS is polluted); the sandbox runs here, keeping its blobs on disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { runInChild } from '../../support/run-in-child';
import type { cloudRoundTrip } from './fixtures/cloud-roundtrip';

const MIB = 1024 * 1024;
let sandbox: MegaSandbox;
let dataDir: string;
beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'mega-cloud-memory-'));
	sandbox = await startMegaSandbox({ port: 0, dataDir });
	await sandbox.createAccount({ email: 'memory@workflow.test', password: 'memory-password', version: 2 });
	await sandbox.client('memory@workflow.test').mkdir('Big');
});
afterAll(async () => {
	await sandbox?.close();
	rmSync(dataDir, { recursive: true, force: true });
});

test('256 MiB upload + download through the engine: byte-identical, streamed, RSS growth under 100 MiB', async () => {
	const { result, memory } = await runInChild<Awaited<ReturnType<typeof cloudRoundTrip>>>(
		join(__dirname, 'fixtures', 'cloud-roundtrip.ts'),
		'cloudRoundTrip',
		{ mib: 256, folder: '/Big', credential: { mode: 'account', email: 'memory@workflow.test', password: 'memory-password', gateway: sandbox.gateway } },
		{ timeoutMs: 280_000 },
	);
	expect(result.madeId).toMatch(/^filesystem-v2:/);
	expect(result.uploaded).toMatchObject({ size: 256 * MIB, path: '/Big/big.bin' });
	expect(result.downloadedId).toMatch(/^filesystem-v2:/);
	expect(result.read).toMatchObject({ sha256: result.made.sha256, size: 256 * MIB, streamed: true });
	process.stdout.write(`mega-cloud memory: ${JSON.stringify({ peakRssGrowthMiB: +(memory.peakRssGrowthBytes / MIB).toFixed(1), baselineRssMiB: +(memory.baselineRssBytes / MIB).toFixed(1) })}\n`);
	expect(memory.peakRssGrowthBytes).toBeLessThan(100 * MIB);
}, 300_000);
