import { createHash, randomBytes } from 'node:crypto';
import { base64urlDecode, decryptAttributes, decryptKey, fingerprintMtime } from '../../../core/mega/crypto';
import { openDownload, uploadFile } from '../../../core/mega/transfer';
import { hashStream } from './fixtures/generated-source';
import { startTransferFixture, type TransferFixture } from './support/sandbox-session';

const KIB = 1024;
const MIB = 1024 * KIB;
const SIZES = [0, 1, 15, 16, 17, 131071, 131072, 131073, 393216, MIB - 1, MIB + 1, 5 * MIB + 7, 64 * MIB];

describe('upload and download round trips through the MEGA sandbox', () => {
	let fixture: TransferFixture;
	beforeAll(async () => {
		fixture = await startTransferFixture();
	});
	afterAll(async () => {
		await fixture.close();
	});

	it.each(SIZES)('%i bytes: same bytes back, MAC verified, name and mtime in the attributes', async (size) => {
		const { api, masterKey } = fixture.session;
		const data = randomBytes(size);
		const mtime = 1_600_000_000 + size;
		const uploaded = await uploadFile(api, {
			parentHandle: fixture.account.rootHandle,
			name: `file-${size}.bin`,
			source: data,
			masterKey,
			mtime,
		});
		expect(uploaded).toMatchObject({ outcome: 'created', size, name: `file-${size}.bin` });

		// What the server holds: size, and a key/attributes only the client can open.
		const record = fixture.sandbox.getNode(uploaded.handle);
		expect(record).toMatchObject({ s: size, p: fixture.account.rootHandle, t: 0 });
		const nodeKey = decryptKey(masterKey, base64urlDecode((record?.k as string).split(':').pop() as string));
		expect(nodeKey.equals(uploaded.nodeKey)).toBe(true);
		const attributes = decryptAttributes(base64urlDecode(record?.a as string), nodeKey);
		expect(attributes.n).toBe(`file-${size}.bin`);
		expect(fingerprintMtime(attributes.c as string)).toBe(mtime);

		const download = await openDownload(api, { source: { handle: uploaded.handle }, key: nodeKey });
		expect(download).toMatchObject({ size, macChecked: true, name: `file-${size}.bin`, length: size });
		const got = await hashStream(download);
		expect(got.bytes).toBe(size);
		expect(got.sha256).toBe(createHash('sha256').update(data).digest('hex'));

		// An independent reader (the sandbox's client-side helper) decrypts and MAC-checks our upload too.
		if (size <= 5 * MIB + 7) {
			const other = await fixture.sandbox.client(fixture.account.email).download(uploaded.handle);
			expect(other.equals(data)).toBe(true);
		}
	});

	it('downloads a byte range (no MAC check, and it says so)', async () => {
		const { api, masterKey } = fixture.session;
		const data = randomBytes(3 * MIB + 77);
		const uploaded = await uploadFile(api, { parentHandle: fixture.account.rootHandle, name: 'range.bin', source: data, masterKey });
		const download = await openDownload(api, {
			source: { handle: uploaded.handle },
			key: uploaded.nodeKey,
			range: { start: 200_001, end: 2_999_999 },
		});
		expect(download.macChecked).toBe(false);
		const parts: Buffer[] = [];
		for await (const part of download) parts.push(part as Buffer);
		expect(Buffer.concat(parts).equals(data.subarray(200_001, 3_000_000))).toBe(true);
	});

	it('reports progress up to the full size for both directions', async () => {
		const { api, masterKey } = fixture.session;
		const data = randomBytes(9 * MIB + 1);
		const up: number[] = [];
		const uploaded = await uploadFile(api, {
			parentHandle: fixture.account.rootHandle,
			name: 'progress.bin',
			source: data,
			masterKey,
			onProgress: (p) => up.push(p.bytesDone),
		});
		expect(up[up.length - 1]).toBe(data.length);
		const down: number[] = [];
		const stream = await openDownload(api, { source: { handle: uploaded.handle }, key: uploaded.nodeKey, onProgress: (p) => down.push(p.bytesDone) });
		await hashStream(stream);
		expect(down[down.length - 1]).toBe(data.length);
		expect(down).toEqual([...down].sort((a, b) => a - b));
	});
});
