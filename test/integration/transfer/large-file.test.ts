import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDownload, uploadFile } from '../../../core/mega/transfer';
import { GeneratedSource } from './fixtures/generated-source';
import { startTransferFixture, type TransferFixture } from './support/sandbox-session';

const GIB = 2 ** 30;
// Above 4 GiB (32-bit offsets and CTR counters overflow there), and not on a chunk boundary.
const SIZE = 4 * GIB + 4099;

describe('a file above 4 GiB through the sandbox disk store', () => {
	let fixture: TransferFixture;
	let dataDir: string;

	beforeAll(async () => {
		dataDir = await mkdtemp(join(tmpdir(), 'mega-transfer-4g-'));
		const space = await statfs(dataDir);
		const free = space.bavail * space.bsize;
		if (free < SIZE + GIB) {
			throw new Error(`The >4 GiB test needs ${((SIZE + GIB) / GIB).toFixed(1)} GiB free in ${dataDir}; only ${(free / GIB).toFixed(1)} GiB`);
		}
		fixture = await startTransferFixture({ dataDir });
	});

	afterAll(async () => {
		await fixture?.close();
		await rm(dataDir, { recursive: true, force: true });
	});

	it('uploads from a factory and downloads the same bytes with the MAC verified', async () => {
		const source = new GeneratedSource(SIZE);
		const uploaded = await uploadFile(fixture.session.api, {
			parentHandle: fixture.account.rootHandle,
			name: 'big.bin',
			source: () => source.open(),
			size: SIZE,
			masterKey: fixture.session.masterKey,
		});
		expect(uploaded.size).toBe(SIZE);
		expect(fixture.sandbox.getNode(uploaded.handle)?.s).toBe(SIZE);

		const download = await openDownload(fixture.session.api, { source: { handle: uploaded.handle }, key: uploaded.nodeKey });
		expect(download.macChecked).toBe(true);
		expect(await source.verify(download)).toEqual({ bytes: SIZE, firstMismatch: undefined });
	}, 15 * 60_000);
});
