import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNode24 } from '../../support/node24';
import { runInChild } from '../../support/run-in-child';
import { NODE24_VERSION } from '../../support/test-versions';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import type { RoundTripInput } from './fixtures/memory-round-trip';

const MIB = 2 ** 20;
const GIB = 2 ** 30;

describe('memory stays flat: 1 GiB up and down in a fresh child process', () => {
	let sandbox: MegaSandbox;
	let dataDir: string;
	beforeAll(async () => {
		dataDir = await mkdtemp(join(tmpdir(), 'mega-transfer-mem-'));
		// The sandbox lives here (disk store); only the client runs in the measured child.
		sandbox = await startMegaSandbox({ port: 0, dataDir });
	});
	afterAll(async () => {
		await sandbox?.close();
		await rm(dataDir, { recursive: true, force: true });
	});

	// Node 24 (n8n 2.x's runtime) comes from the registry via test/support/node24.ts, installed on first use.
	it.each([
		['Node 20 (this process)', async () => ({ nodePath: undefined, version: process.version })],
		[`Node ${NODE24_VERSION}`, async () => ({ nodePath: (await ensureNode24()).binary, version: `v${NODE24_VERSION}` })],
	])('grows RSS by less than 100 MiB on %s', async (_label, runtime) => {
		const { nodePath, version } = await runtime();
		const email = `memory-${process.pid}-${nodePath ? 24 : 20}@sandbox.local`;
		const password = 'memory-password-1';
		const account = await sandbox.createAccount({ email, password, version: 2 });
		const input: RoundTripInput = { gateway: sandbox.gateway, email, password, rootHandle: account.rootHandle, size: GIB + 5 };
		const { result, memory } = await runInChild<{ bytes: number; firstMismatch?: number; node: string }>(
			join(__dirname, 'fixtures/memory-round-trip.ts'),
			'roundTrip',
			input,
			{ timeoutMs: 10 * 60_000, nodePath },
		);
		expect(result.node).toBe(version);
		expect(result.bytes).toBe(GIB + 5);
		expect(result.firstMismatch).toBeUndefined();
		expect(memory.peakRssGrowthBytes).toBeLessThan(100 * MIB);
	}, 12 * 60_000);
});
