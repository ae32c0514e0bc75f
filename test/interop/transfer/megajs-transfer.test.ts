import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Storage, type File as MegaFile, type MutableFile } from 'megajs';
import { openDownload, uploadFile } from '../../../core/mega/transfer';
import { startTransferFixture, type TransferFixture } from '../../integration/transfer/support/sandbox-session';

const KIB = 1024;
const MIB = 1024 * KIB;
// Not on chunk boundaries: there megajs adds an extra chunk MAC that MEGA's SDK does not (crypto-performance.md §2.1).
// That includes sizes whose last 16-byte block reaches a boundary (e.g. 131071: megajs pads, lands on 128 KiB and
// pushes the extra MAC), so 130,000 stands in for "just under the first boundary".
const SIZES = [1, 15, 17, 130_000, 200_000, MIB + 3, 5 * MIB + 7, 21 * MIB + 11];

async function collect(stream: Readable): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

describe('transfers interoperate with megajs both ways through the sandbox', () => {
	let fixture: TransferFixture;
	const storages: Storage[] = [];

	async function megajsStorage(): Promise<Storage> {
		const storage = new Storage({ email: fixture.account.email, password: 'transfer-password-1', gateway: fixture.sandbox.gateway, keepalive: false });
		// megajs reports background API failures as events; without a listener they would be unhandled
		storage.api.on('error', () => undefined);
		storages.push(storage);
		await storage.ready;
		return storage;
	}

	beforeAll(async () => {
		fixture = await startTransferFixture();
	});
	afterAll(async () => {
		for (const storage of storages) await storage.close().catch(() => undefined);
		await fixture.close();
	});

	it.each(SIZES)('megajs uploads %i bytes; our download decrypts them and verifies megajs\'s MAC', async (size) => {
		const storage = await megajsStorage();
		const data = randomBytes(size);
		// megajs encrypts its input buffer in place, so it gets a copy
		const file = (await storage.upload({ name: `from-megajs-${size}.bin`, size }, Buffer.from(data)).complete) as MutableFile;
		expect(file.key?.length).toBe(32);
		const download = await openDownload(fixture.session.api, { source: { handle: file.nodeId as string }, key: file.key as Buffer });
		expect(download.name).toBe(`from-megajs-${size}.bin`);
		expect(download.macChecked).toBe(true);
		expect((await collect(download)).equals(data)).toBe(true);
	});

	it.each(SIZES)('we upload %i bytes (several chunks per POST); megajs downloads them with its MAC check', async (size) => {
		const data = randomBytes(size);
		const uploaded = await uploadFile(fixture.session.api, {
			parentHandle: fixture.account.rootHandle,
			name: `from-core-${size}.bin`,
			source: data,
			masterKey: fixture.session.masterKey,
			postBytes: 3 * MIB,
		});
		const storage = await megajsStorage();
		const file = storage.files[uploaded.handle] as MegaFile | undefined;
		expect(file?.name).toBe(`from-core-${size}.bin`);
		expect(file?.size).toBe(size);
		expect((file?.key as Buffer).equals(uploaded.nodeKey)).toBe(true);
		const body = await (file as MegaFile).downloadBuffer({});
		expect(body.equals(data)).toBe(true);
	});

	it('a byte range of a megajs upload matches megajs\'s own ranged read', async () => {
		const storage = await megajsStorage();
		const data = randomBytes(3 * MIB + 5);
		const file = (await storage.upload({ name: 'range-megajs.bin', size: data.length }, Buffer.from(data)).complete) as MutableFile;
		const ours = await collect(
			await openDownload(fixture.session.api, { source: { handle: file.nodeId as string }, key: file.key as Buffer, range: { start: 777_777, end: 2_000_000 } }),
		);
		const theirs = await file.downloadBuffer({ start: 777_777, end: 2_000_000 });
		expect(ours.equals(data.subarray(777_777, 2_000_001))).toBe(true);
		expect(theirs.equals(ours)).toBe(true);
	});
});
