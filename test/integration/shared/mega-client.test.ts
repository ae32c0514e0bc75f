/**
 * nodes/shared/mega-client + mega-locators against the MEGA sandbox: the `megaApi` credential becomes a client that
 * shares one login and one tree fetch per process, the credential test says precisely why a login fails, and the
 * folder/file pickers resolve every mode.
 */
import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { forgetLiveTrees } from '../../../core/mega/client';
import { clearSessionCache, exportSession, login } from '../../../core/mega/session';
import { MegaApiTransport } from '../../../core/mega/api/transport';
import {
	getMegaClient,
	megaClientCacheKey,
	megaClientFromCredentials,
	megaConnectionFromCredential,
	testMegaApiCredential,
	toNodeError,
} from '../../../nodes/shared';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';

let sandbox: MegaSandbox;
let counter = 0;
const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';

beforeAll(async () => {
	sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 1_000 });
});
afterAll(async () => {
	await sandbox.close();
});
afterEach(() => {
	sandbox.faults.clear();
	clearSessionCache();
	forgetLiveTrees();
});

async function account(options: { totpSecret?: string } = {}): Promise<ICredentialDataDecryptedObject & { email: string; password: string }> {
	counter += 1;
	const email = `shared${counter}@client.test`;
	const password = `secret-password-${counter}`;
	await sandbox.createAccount({ email, password, version: 2, ...options });
	return { mode: 'account', email, password, gateway: sandbox.gateway, ...(options.totpSecret ? { totpSecret: options.totpSecret } : {}) };
}

describe('megaConnectionFromCredential', () => {
	test('maps the three modes and normalises the gateway', () => {
		expect(megaConnectionFromCredential({ mode: 'account', email: ' a@b.c ', password: 'pw', totpSecret: '' })).toEqual({
			mode: 'account',
			gateway: 'https://g.api.mega.co.nz/',
			credentials: { kind: 'password', email: 'a@b.c', password: 'pw' },
		});
		expect(megaConnectionFromCredential({ mode: 'session', sessionToken: 'mega-session:v1:x', gateway: 'http://127.0.0.1:9' })).toMatchObject({
			gateway: 'http://127.0.0.1:9/',
			credentials: { kind: 'session', session: 'mega-session:v1:x' },
		});
		expect(megaConnectionFromCredential({ mode: 'anonymous' }).credentials).toEqual({ kind: 'ephemeral' });
	});

	test('refuses missing fields and a bad gateway with a fix', () => {
		expect(() => megaConnectionFromCredential({ mode: 'account', email: 'a@b.c', password: '' })).toThrow('needs an email and a password');
		expect(() => megaConnectionFromCredential({ mode: 'session', sessionToken: ' ' })).toThrow('no session string');
		expect(() => megaConnectionFromCredential({ mode: 'account', email: 'a@b.c', password: 'x', gateway: 'not a url' })).toThrow('not a valid URL');
		expect(() => megaConnectionFromCredential({ mode: 'account', email: 'a@b.c', password: 'x', gateway: 'ftp://x/' })).toThrow('https://');
	});

	test('the cache key is a hash: stable, different per secret, and contains no secret', () => {
		const data = { mode: 'account', email: 'a@b.c', password: 'hunter2-secret' };
		const key = megaClientCacheKey(data);
		expect(key).toBe(megaClientCacheKey({ ...data }));
		expect(key).not.toBe(megaClientCacheKey({ ...data, password: 'other' }));
		expect(key).not.toContain('hunter2');
		expect(key).not.toContain('a@b.c');
		expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
	});
});

describe('getMegaClient', () => {
	test('one login and one tree fetch for many items and executions in the process', async () => {
		const credentials = await account();
		sandbox.resetCounters();
		const ctx = { getCredentials: jest.fn().mockResolvedValue(credentials) };
		const first = await getMegaClient(ctx);
		await first.mkdir('/Reports');
		for (let execution = 0; execution < 3; execution++) {
			const client = await getMegaClient(ctx);
			expect((await client.list('/')).map((node) => node.name)).toEqual(['Reports']);
		}
		const direct = await megaClientFromCredentials({ ...credentials });
		expect(direct.userHandle).toBe(first.userHandle);
		const commands = sandbox.counters().commands;
		expect(commands.us).toBe(1);
		expect(commands.f).toBe(1);
		expect(ctx.getCredentials).toHaveBeenCalledWith('megaApi');
	});

	test('a different password is a different cache entry (and a failed login is not cached)', async () => {
		const credentials = await account();
		const wrong = await megaClientFromCredentials({ ...credentials, password: 'wrong' }).catch((e: unknown) => e);
		expect(wrong).toMatchObject({ code: 'ECREDENTIALS' });
		const mapped = toNodeError({ name: 'MEGA Cloud' } as INode, wrong, 0);
		expect(mapped).toBeInstanceOf(NodeApiError);
		expect((mapped as NodeApiError & { failure?: unknown }).failure).toEqual({ cause: 'credential-invalid' });
		await expect(megaClientFromCredentials(credentials)).resolves.toBeDefined();
	});
});

describe('testMegaApiCredential', () => {
	test('account: logs in, then logs the test session out (the cached session is untouched)', async () => {
		const credentials = await account();
		const cached = await megaClientFromCredentials(credentials);
		sandbox.resetCounters();
		expect(await testMegaApiCredential(credentials)).toEqual({ status: 'OK', message: `Logged in to MEGA as ${credentials.email}` });
		expect(sandbox.counters().commands).toMatchObject({ us: 1, sml: 1 });
		await expect(cached.list('/')).resolves.toEqual([]);
	});

	test('each failure in plain words with the fix, never with a secret', async () => {
		const credentials = await account();
		const twoFactor = await account({ totpSecret: TOTP_SECRET });
		const cases: Array<[ICredentialDataDecryptedObject, RegExp]> = [
			[{ ...credentials, password: 'wrong-password' }, /^Wrong email or password for MEGA\. Check the email address and the password\.$/],
			[{ ...twoFactor, totpSecret: '' }, /two-factor authentication: a 2FA code is required\. Add the TOTP secret/],
			[{ ...twoFactor, totpSecret: 'AAAAAAAAAAAAAAAA' }, /rejected the two-factor \(2FA\) code\. Check the TOTP secret/],
			[{ ...twoFactor, totpSecret: 'not base32!' }, /TOTP secret is not valid base32/],
			[{ mode: 'session', sessionToken: 'mega-session:v1:garbage', gateway: sandbox.gateway }, /session string is not valid\. Create a new session string/],
			[{ mode: 'session', sessionToken: '', gateway: sandbox.gateway }, /no session string\. Run "npx -p n8n-nodes-mega mega-session/],
			[{ ...credentials, gateway: 'http://127.0.0.1:1/' }, /^Could not reach the MEGA API at http:\/\/127\.0\.0\.1:1\/ .*Check the API Gateway URL/],
		];
		for (const [data, expected] of cases) {
			const result = await testMegaApiCredential(data);
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(expected);
			for (const secret of [credentials.password, TOTP_SECRET, 'wrong-password', 'garbage']) expect(result.message).not.toContain(secret);
		}
		expect(await testMegaApiCredential(twoFactor)).toMatchObject({ status: 'OK' });
	}, 60_000);

	test('a blocked account and an expired session string', async () => {
		const credentials = await account();
		sandbox.faults.add({ kind: 'error', code: -16, scope: 'command', command: 'us', count: 1 });
		expect((await testMegaApiCredential(credentials)).message).toMatch(/account is blocked\. Log in on mega\.nz/);
		const api = new MegaApiTransport({ gateway: sandbox.gateway });
		const session = exportSession(await login(api, { kind: 'password', email: credentials.email, password: credentials.password }));
		const sessionCredential = { mode: 'session', sessionToken: session, gateway: sandbox.gateway };
		expect(await testMegaApiCredential(sessionCredential)).toEqual({ status: 'OK', message: `The session string is valid (account ${credentials.email})` });
		sandbox.expireSessions(credentials.email);
		const expired = await testMegaApiCredential(sessionCredential);
		expect(expired.message).toMatch(/session has expired or was logged out\. Create a new session string/);
		expect(expired.message).not.toContain(session.slice(16));
	});

	test('anonymous: creates a throwaway account', async () => {
		expect(await testMegaApiCredential({ mode: 'anonymous', gateway: sandbox.gateway })).toEqual({
			status: 'OK',
			message: `Created an anonymous MEGA account at ${sandbox.gateway}`,
		});
	});
});
