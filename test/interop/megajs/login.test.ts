import { Storage } from 'megajs';
import { randomTotpSecret, startMegaSandbox, totpCode, type MegaSandbox } from '../../../sandbox/mega';
import { closeAll, openStorage } from './helpers';

describe('megajs logs into the sandbox', () => {
	let sandbox: MegaSandbox;
	const totpSecret = randomTotpSecret();

	beforeAll(async () => {
		sandbox = await startMegaSandbox();
		await sandbox.createAccount({ email: 'one@interop.local', password: 'legacy password 1', version: 1 });
		await sandbox.createAccount({ email: 'two@interop.local', password: 'modern password 2', version: 2, name: 'Two Interop' });
		await sandbox.createAccount({ email: 'mfa@interop.local', password: 'mfa password 3', version: 2, totpSecret });
		await sandbox.client('two@interop.local').mkdir('made by the provisioning client');
	});
	afterAll(async () => {
		await closeAll();
		await sandbox.close();
	});

	it('logs a v1 account in (prepare_key + stringhash) and loads the tree', async () => {
		const { storage, errors } = await openStorage(sandbox.gateway, 'one@interop.local', 'legacy password 1');
		expect(storage.user).toMatch(/^[A-Za-z0-9_-]{11}$/);
		expect(storage.root.name).toBe('Cloud Drive');
		expect(storage.trash.name).toBe('Rubbish Bin');
		expect(errors).toEqual([]);
	});

	it('logs a v2 account in (PBKDF2) and decrypts names made on the other side', async () => {
		const { storage } = await openStorage(sandbox.gateway, 'TWO@interop.local', 'modern password 2');
		expect(storage.name).toBe('Two Interop');
		expect(storage.root.children?.map((c) => c.name)).toEqual(['made by the provisioning client']);
	});

	it('logs a 2FA account in with the TOTP code and fails without one', async () => {
		await expect(openStorage(sandbox.gateway, 'mfa@interop.local', 'mfa password 3')).rejects.toThrow(/EMFAREQUIRED \(-26\)/);
		const { storage } = await openStorage(sandbox.gateway, 'mfa@interop.local', 'mfa password 3', { secondFactorCode: totpCode(totpSecret) });
		expect(storage.root.name).toBe('Cloud Drive');
	});

	it('fails with ENOENT (-9) on a wrong password', async () => {
		await expect(openStorage(sandbox.gateway, 'two@interop.local', 'not the password')).rejects.toThrow(/ENOENT \(-9\)/);
	});

	it('solves the hashcash challenge on login and retries with the same request id', async () => {
		sandbox.setHashcash({ commands: ['us'], easiness: 255 });
		try {
			sandbox.resetCounters();
			const { storage } = await openStorage(sandbox.gateway, 'two@interop.local', 'modern password 2');
			expect(storage.root.name).toBe('Cloud Drive');
			expect(sandbox.counters()).toMatchObject({ hashcashChallenges: 1, commands: { us: 2 }, applied: { us: 1 } });
		} finally {
			sandbox.setHashcash(null);
		}
	});

	it('logs out with close(): the session is gone on the server', async () => {
		const { storage } = await openStorage(sandbox.gateway, 'one@interop.local', 'legacy password 1', { keepalive: false });
		const sid = storage.sid as string;
		await storage.close();
		const res = await fetch(`${sandbox.gateway}cs?id=1&sid=${sid}`, { method: 'POST', body: '[{"a":"ug"}]' });
		expect(await res.text()).toBe('-15');
		expect(storage).toBeInstanceOf(Storage);
	});
});
