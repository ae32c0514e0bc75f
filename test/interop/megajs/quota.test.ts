import { randomBytes } from 'node:crypto';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { closeAll, openStorage } from './helpers';

describe('megajs sees the sandbox storage quota', () => {
	let sandbox: MegaSandbox;

	beforeAll(async () => {
		sandbox = await startMegaSandbox();
		await sandbox.createAccount({ email: 'quota@interop.local', password: 'quota password', storageBytes: 1_000_000, transferBytes: 5_000_000 });
	});
	afterAll(async () => {
		await closeAll();
		await sandbox.close();
	});

	it('reports storage and transfer figures that follow real usage', async () => {
		const { storage } = await openStorage(sandbox.gateway, 'quota@interop.local', 'quota password');
		let info = await storage.getAccountInfo();
		expect(info).toMatchObject({ type: 0, spaceUsed: 0, spaceTotal: 1_000_000, downloadBandwidthTotal: 5_000_000, downloadBandwidthUsed: 0 });
		const data = randomBytes(400_000);
		const file = await storage.upload({ name: 'counted.bin', size: data.length }, Buffer.from(data)).complete;
		await file.downloadBuffer({});
		info = await storage.getAccountInfo();
		expect(info).toMatchObject({ spaceUsed: 400_000, downloadBandwidthUsed: 400_000 });
	});

	it('refuses an upload that does not fit with EOVERQUOTA (-17)', async () => {
		const { storage } = await openStorage(sandbox.gateway, 'quota@interop.local', 'quota password');
		const data = randomBytes(700_000);
		await expect(storage.upload({ name: 'too-big.bin', size: data.length }, Buffer.from(data)).complete).rejects.toThrow(/EOVERQUOTA \(-17\)/);
		expect((await sandbox.client('quota@interop.local').list()).some((n) => n.name === 'too-big.bin')).toBe(false);
	});

	it('turns an exhausted transfer quota into megajs’s bandwidth-limit error (509 + X-MEGA-Time-Left)', async () => {
		const { storage } = await openStorage(sandbox.gateway, 'quota@interop.local', 'quota password');
		const file = storage.root.children?.find((c) => c.name === 'counted.bin');
		sandbox.setQuota('quota@interop.local', { transferBytes: 500_000, transferResetSeconds: 600 });
		await expect(file?.downloadBuffer({ maxConnections: 1 })).rejects.toThrow(/Bandwidth limit reached: 600 seconds/);
	});
});
