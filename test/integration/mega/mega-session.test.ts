import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { MegaClient } from '../../../core/mega/client';
import { clearSessionCache } from '../../../core/mega/session';
import { randomTotpSecret, startMegaSandbox, totpCode, type MegaSandbox } from '../../../sandbox/mega';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'core', 'mega', 'bin', 'mega-session.ts');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let sandbox: MegaSandbox;
const totpSecret = randomTotpSecret();

function run(args: string[], env: Record<string, string>, stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [TSX, CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
		child.stdin.end(stdin);
	});
}

beforeAll(async () => {
	sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 1_000 });
	await sandbox.createAccount({ email: 'cli@test.local', password: 'cli-password', version: 2 });
	await sandbox.createAccount({ email: 'cli2fa@test.local', password: 'cli-password-2', version: 2, totpSecret });
});

afterAll(async () => {
	await sandbox.close();
});

describe('mega-session CLI', () => {
	it('logs in once and prints a session string that resumes without the password', async () => {
		const result = await run(['--email', 'cli@test.local', '--gateway', sandbox.gateway], { MEGA_PASSWORD: 'cli-password' }, '');
		expect(result.code).toBe(0);
		const session = result.stdout.trim();
		expect(session).toMatch(/^mega-session:v1:/);
		expect(result.stdout).not.toContain('cli-password');
		clearSessionCache();
		const client = await MegaClient.fromSession(session, { gateway: sandbox.gateway });
		expect((await client.account()).email).toBe('cli@test.local');
	});

	it('asks for the 2FA code when the account needs one (password and code from stdin)', async () => {
		const code = totpCode(totpSecret);
		const result = await run(['--email', 'cli2fa@test.local', '--gateway', sandbox.gateway], { MEGA_PASSWORD: '' }, `cli-password-2\n${code}\n`);
		expect(result.stderr).toContain('2FA');
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toMatch(/^mega-session:v1:/);
	});

	it('fails with a readable message and exit code 1 on a wrong password', async () => {
		const result = await run(['--email', 'cli@test.local', '--gateway', sandbox.gateway], { MEGA_PASSWORD: 'nope' }, '');
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('Wrong email or password');
		expect(result.stdout).toBe('');
	});
});
