import { decryptKey, encryptKey, aesEcbEncrypt, sessionIdUserHandle } from '../../../core/mega/crypto';
import { randomBytes } from 'node:crypto';
import { randomTotpSecret, startMegaSandbox, totpCode, type MegaSandbox } from '../../../sandbox/mega';
import { call, cs, passwordHash, rawLogin } from './helpers';

describe('sandbox login', () => {
	let sandbox: MegaSandbox;
	const totpSecret = randomTotpSecret();

	beforeAll(async () => {
		sandbox = await startMegaSandbox();
		await sandbox.createAccount({ email: 'v1@test.local', password: 'password-one', version: 1 });
		await sandbox.createAccount({ email: 'v2@test.local', password: 'password-two', version: 2 });
		await sandbox.createAccount({ email: 'mfa@test.local', password: 'password-mfa', version: 2, totpSecret });
	});
	afterAll(() => sandbox.close());

	it('answers us0 with the account version and the v2 salt', async () => {
		expect(await call(sandbox.gateway, { a: 'us0', user: 'v1@test.local' })).toEqual({ v: 1 });
		const v2 = await call<{ v: number; s: string }>(sandbox.gateway, { a: 'us0', user: 'V2@Test.Local' });
		expect(v2.v).toBe(2);
		expect(Buffer.from(v2.s, 'base64url')).toHaveLength(32);
	});

	it.each([
		['v1@test.local', 'password-one'],
		['v2@test.local', 'password-two'],
	])('logs %s in with a real 43-byte sid RSA-encrypted as csid', async (email, password) => {
		const session = await rawLogin(sandbox.gateway, email, password);
		expect(session.sidBytes).toHaveLength(43);
		expect(session.sidBytes[0]).not.toBe(0);
		expect(sessionIdUserHandle(session.sidBytes)).toBe(session.userHandle);
		const user = await call<{ u: string; email: string; name: string }>(sandbox.gateway, { a: 'ug' }, { sid: session.sid });
		expect(user).toMatchObject({ u: session.userHandle, email, name: email.split('@')[0] });
	});

	it('rejects a wrong password with -9 and an unknown user with -9', async () => {
		const { uh } = await passwordHash(sandbox.gateway, 'v2@test.local', 'wrong-password');
		expect(await call(sandbox.gateway, { a: 'us', user: 'v2@test.local', uh })).toBe(-9);
		const v1 = await passwordHash(sandbox.gateway, 'v1@test.local', 'wrong-password');
		expect(await call(sandbox.gateway, { a: 'us', user: 'v1@test.local', uh: v1.uh })).toBe(-9);
		expect(await call(sandbox.gateway, { a: 'us', user: 'nobody@test.local', uh: 'AAAAAAAAAAA' })).toBe(-9);
	});

	it('answers a v1-style login to a v2 account with -8', async () => {
		const { userHashV1, deriveKeyV1 } = await import('../../../core/mega/crypto');
		const uh = userHashV1('v2@test.local', deriveKeyV1('password-two'));
		expect(await call(sandbox.gateway, { a: 'us', user: 'v2@test.local', uh })).toBe(-8);
	});

	it('needs a TOTP code for a 2FA account: none gives -26, a wrong one -5 (as MEGA), the right one logs in', async () => {
		const { uh } = await passwordHash(sandbox.gateway, 'mfa@test.local', 'password-mfa');
		expect(await call(sandbox.gateway, { a: 'us', user: 'mfa@test.local', uh })).toBe(-26);
		const good = totpCode(totpSecret);
		const wrong = String((Number(good) + 500_000) % 1_000_000).padStart(6, '0');
		expect(await call(sandbox.gateway, { a: 'us', user: 'mfa@test.local', uh, mfa: wrong })).toBe(-5);
		expect(await call(sandbox.gateway, { a: 'mfag', e: 'mfa@test.local' })).toBe(1);
		const session = await rawLogin(sandbox.gateway, 'mfa@test.local', 'password-mfa', totpCode(totpSecret));
		expect(session.sidBytes).toHaveLength(43);
	});

	it('confirms a live session with us without credentials (SDK session resume) and renames with up', async () => {
		const session = await rawLogin(sandbox.gateway, 'v2@test.local', 'password-two');
		expect(await call(sandbox.gateway, { a: 'us' }, { sid: session.sid })).toMatchObject({ u: session.userHandle, k: expect.any(String), privk: expect.any(String) });
		expect(await call(sandbox.gateway, { a: 'up', name: 'Renamed User' }, { sid: session.sid })).toBe(session.userHandle);
		expect(await call(sandbox.gateway, { a: 'ug' }, { sid: session.sid })).toMatchObject({ name: 'Renamed User', aav: 2, aas: expect.any(String) });
	});

	it('ends a session with sml: the sid then gets -15', async () => {
		const session = await rawLogin(sandbox.gateway, 'v1@test.local', 'password-one');
		expect(await call(sandbox.gateway, { a: 'sml' }, { sid: session.sid })).toBe(0);
		const after = await cs(sandbox.gateway, [{ a: 'ug' }], { sid: session.sid });
		expect(after.json).toBe(-15);
	});

	it('expires sessions on request (ESID) for one account only', async () => {
		const one = await rawLogin(sandbox.gateway, 'v1@test.local', 'password-one');
		const two = await rawLogin(sandbox.gateway, 'v2@test.local', 'password-two');
		sandbox.expireSessions('v1@test.local');
		expect((await cs(sandbox.gateway, [{ a: 'ug' }], { sid: one.sid })).json).toBe(-15);
		expect(await call(sandbox.gateway, { a: 'ug' }, { sid: two.sid })).toMatchObject({ u: two.userHandle });
	});

	it('creates ephemeral accounts with up and logs them in by user handle with a self-verifying tsid', async () => {
		const master = randomBytes(16);
		const passwordKey = randomBytes(16);
		const ssc = randomBytes(16);
		const ts = Buffer.concat([ssc, aesEcbEncrypt(master, ssc)]);
		const handle = await call<string>(sandbox.gateway, { a: 'up', k: encryptKey(passwordKey, master).toString('base64url'), ts: ts.toString('base64url') });
		expect(handle).toMatch(/^[A-Za-z0-9_-]{11}$/);
		const login = await call<{ k: string; tsid: string }>(sandbox.gateway, { a: 'us', user: handle });
		expect(decryptKey(passwordKey, Buffer.from(login.k, 'base64url')).equals(master)).toBe(true);
		const tsid = Buffer.from(login.tsid, 'base64url');
		expect(tsid).toHaveLength(43);
		expect(tsid.subarray(16, 27).toString('ascii')).toBe(handle);
		expect(aesEcbEncrypt(master, tsid.subarray(0, 16)).equals(tsid.subarray(27))).toBe(true);
		const user = await call<{ u: string; s: number }>(sandbox.gateway, { a: 'ug' }, { sid: login.tsid });
		expect(user).toMatchObject({ u: handle, s: 1 });
		const tree = await call<{ f: Array<{ t: number }> }>(sandbox.gateway, { a: 'f', c: 1 }, { sid: login.tsid });
		expect(tree.f.map((n) => n.t).sort()).toEqual([2, 3, 4]);
	});

	it('answers unknown commands with -2 and commands that need a session without one with -15', async () => {
		expect(await call(sandbox.gateway, { a: 'nosuchcommand' })).toBe(-2);
		expect(await call(sandbox.gateway, { a: 'ug' })).toBe(-15);
		const reply = await cs(sandbox.gateway, [{ a: 'us0', user: 'v1@test.local' }, { a: 'nosuch' }]);
		expect(reply.json).toEqual([{ v: 1 }, -2]);
		expect((await fetch(`${sandbox.gateway}cs?id=1`, { method: 'POST', body: 'not json' }).then((r) => r.text()))).toBe('-2');
	});
});
