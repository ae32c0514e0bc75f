import { MegaApiTransport } from '../../../core/mega/api/transport';
import { MegaApiError } from '../../../core/mega/errors';
import {
	clearSessionCache,
	exportSession,
	importSession,
	login,
	logout,
	MegaLoginError,
	openSession,
} from '../../../core/mega/session';
import { totp } from '../../../core/mega/totp';
import { randomTotpSecret, startMegaSandbox, totpCode, type MegaSandbox } from '../../../sandbox/mega';

let sandbox: MegaSandbox;
const fast = { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 6, maxTotalMs: 10_000 };
const totpSecret = randomTotpSecret();

beforeAll(async () => {
	sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 1_000 });
	await sandbox.createAccount({ email: 'v2@test.local', password: 'pass-v2', version: 2 });
	await sandbox.createAccount({ email: 'v1@test.local', password: 'pass-v1', version: 1 });
	await sandbox.createAccount({ email: 'tfa@test.local', password: 'pass-2fa', version: 2, totpSecret });
});

afterAll(async () => {
	await sandbox.close();
});

afterEach(() => {
	clearSessionCache();
	sandbox.faults.clear();
	sandbox.setHashcash(null);
});

function transport(): MegaApiTransport {
	return new MegaApiTransport({ gateway: sandbox.gateway, retry: fast });
}

describe('login', () => {
	it('logs into a v2 account and can call ug with the session', async () => {
		const api = transport();
		const session = await login(api, { kind: 'password', email: 'V2@test.local', password: 'pass-v2' });
		expect(session.sid).toMatch(/^[A-Za-z0-9_-]{58}$/);
		expect(session.masterKey.length).toBe(16);
		expect(session.userHandle).toMatch(/^[A-Za-z0-9_-]{11}$/);
		expect(api.sid).toBe(session.sid);
		const user = await api.request<{ u: string }>({ a: 'ug' });
		expect(user.u).toBe(session.userHandle);
	});

	it('logs into a v1 account', async () => {
		const session = await login(transport(), { kind: 'password', email: 'v1@test.local', password: 'pass-v1' });
		expect(session.userHandle).toMatch(/^[A-Za-z0-9_-]{11}$/);
	});

	it('rejects a wrong password with a credential error that does not leak the password', async () => {
		const error = (await login(transport(), { kind: 'password', email: 'v2@test.local', password: 'wrong-secret' }).catch((e: unknown) => e)) as MegaLoginError;
		expect(error).toBeInstanceOf(MegaLoginError);
		expect(error.code).toBe('ECREDENTIALS');
		expect(error.cause).toBe('credential-invalid');
		expect(error.message).not.toContain('wrong-secret');
		const v1 = (await login(transport(), { kind: 'password', email: 'v1@test.local', password: 'nope' }).catch((e: unknown) => e)) as MegaLoginError;
		expect(v1.code).toBe('ECREDENTIALS');
	});

	it('asks for 2FA when missing, rejects a wrong code, accepts a TOTP secret and a one-time code', async () => {
		const missing = (await login(transport(), { kind: 'password', email: 'tfa@test.local', password: 'pass-2fa' }).catch((e: unknown) => e)) as MegaLoginError;
		expect(missing.code).toBe('EMFAREQUIRED');
		expect(missing.errno).toBe(-26);
		const wrongCode = String((Number(totpCode(totpSecret)) + 1) % 1_000_000).padStart(6, '0');
		const wrong = (await login(transport(), { kind: 'password', email: 'tfa@test.local', password: 'pass-2fa', otp: wrongCode }).catch((e: unknown) => e)) as MegaLoginError;
		expect(wrong.code).toBe('EMFAINVALID');
		expect(wrong.errno).toBe(-5);
		expect(wrong.cause).toBe('credential-invalid');
		const withSecret = await login(transport(), { kind: 'password', email: 'tfa@test.local', password: 'pass-2fa', totpSecret });
		expect(withSecret.userHandle).toMatch(/^[A-Za-z0-9_-]{11}$/);
		const withCode = await login(transport(), { kind: 'password', email: 'tfa@test.local', password: 'pass-2fa', otp: totp(totpSecret) });
		expect(withCode.userHandle).toBe(withSecret.userHandle);
	});

	it('solves a hashcash challenge on us and logs in', async () => {
		sandbox.setHashcash({ commands: ['us'], easiness: 255 });
		sandbox.resetCounters();
		const session = await login(transport(), { kind: 'password', email: 'v2@test.local', password: 'pass-v2' });
		expect(session.sid).toBeTruthy();
		expect(sandbox.counters().hashcashChallenges).toBeGreaterThanOrEqual(1);
	});

	it('creates an anonymous ephemeral account and resumes it', async () => {
		const api = transport();
		const session = await login(api, { kind: 'ephemeral' });
		expect(session.ephemeral).toBe(true);
		const user = await api.request<{ u: string }>({ a: 'ug' });
		expect(user.u).toBe(session.userHandle);
		const resumed = await login(transport(), { kind: 'ephemeral', session: exportSession(session) });
		expect(resumed.userHandle).toBe(session.userHandle);
		expect(resumed.ephemeral).toBe(true);
	});
});

describe('session strings', () => {
	it('exports and resumes a session without the password', async () => {
		const session = await login(transport(), { kind: 'password', email: 'v2@test.local', password: 'pass-v2' });
		const text = exportSession(session);
		expect(text).not.toContain('pass-v2');
		sandbox.resetCounters();
		const api = transport();
		const resumed = await login(api, { kind: 'session', session: text });
		expect(resumed.userHandle).toBe(session.userHandle);
		expect(resumed.masterKey).toEqual(session.masterKey);
		expect(resumed.email).toBe('v2@test.local');
		expect(sandbox.counters().commands.us ?? 0).toBe(0);
		expect(importSession(text).sid).toBe(session.sid);
	});

	it('rejects garbage and an expired or logged-out session string', async () => {
		expect(() => importSession('hello')).toThrow(MegaLoginError);
		const api = transport();
		const session = await login(api, { kind: 'password', email: 'v2@test.local', password: 'pass-v2' });
		await logout(api);
		const error = (await login(transport(), { kind: 'session', session: exportSession(session) }).catch((e: unknown) => e)) as MegaLoginError;
		expect(error.code).toBe('ESID');
		expect(error.cause).toBe('credential-invalid');
	});
});

describe('session cache and ESID', () => {
	it('shares one login between concurrent callers of the same credential', async () => {
		sandbox.resetCounters();
		const credentials = { kind: 'password' as const, email: 'v2@test.local', password: 'pass-v2' };
		const sessions = await Promise.all([1, 2, 3, 4].map(() => openSession(credentials, { gateway: sandbox.gateway, retry: fast })));
		expect(new Set(sessions).size).toBe(1);
		expect(sandbox.counters().applied.us).toBe(1);
	});

	it('re-logs in once, transparently, when the session expires (ESID)', async () => {
		const session = await openSession({ kind: 'password', email: 'v1@test.local', password: 'pass-v1' }, { gateway: sandbox.gateway, retry: fast });
		const oldSid = session.api.sid;
		sandbox.expireSessions('v1@test.local');
		sandbox.resetCounters();
		const results = await Promise.all([session.api.request({ a: 'ug' }), session.api.request({ a: 'uq', strg: 1 })]);
		expect(results).toHaveLength(2);
		expect(session.api.sid).not.toBe(oldSid);
		expect(sandbox.counters().applied.us).toBe(1);
	});

	it('a session-string credential reports ESID instead of looping', async () => {
		const first = await login(transport(), { kind: 'password', email: 'v2@test.local', password: 'pass-v2' });
		const account = await openSession({ kind: 'session', session: exportSession(first) }, { gateway: sandbox.gateway, retry: fast });
		sandbox.expireSessions('v2@test.local');
		sandbox.resetCounters();
		const error = (await account.api.request({ a: 'ug' }).catch((e: unknown) => e)) as MegaLoginError;
		expect(error).toBeInstanceOf(MegaLoginError);
		expect(error.code).toBe('ESID');
		expect(sandbox.counters().commands.ug).toBe(1);
	});

	it('reuses one anonymous account per process for ephemeral credentials', async () => {
		const first = await openSession({ kind: 'ephemeral' }, { gateway: sandbox.gateway, retry: fast });
		const second = await openSession({ kind: 'ephemeral' }, { gateway: sandbox.gateway, retry: fast });
		expect(second).toBe(first);
		expect(first.data.ephemeral).toBe(true);
	});

	it('logout ends the session at MEGA', async () => {
		const account = await openSession({ kind: 'password', email: 'v2@test.local', password: 'pass-v2' }, { gateway: sandbox.gateway, retry: fast, fresh: true });
		const api = account.api;
		const sid = api.sid;
		await account.logout();
		const probe = transport();
		probe.sid = sid;
		const error = (await probe.request({ a: 'ug' }).catch((e: unknown) => e)) as MegaApiError;
		expect(error.errno).toBe(-15);
	});
});
