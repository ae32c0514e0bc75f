import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

interface SandboxLine {
	gateway: string;
	control: string;
	accounts: Array<{ email: string; password: string; version: 1 | 2; totpSecret?: string }>;
}

function readJsonLine(child: ChildProcess, timeoutMs: number): Promise<SandboxLine> {
	return new Promise((resolvePromise, reject) => {
		let out = '';
		let err = '';
		const timer = setTimeout(() => reject(new Error(`no JSON line within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`)), timeoutMs);
		child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
		child.stdout?.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const line = out.split('\n').find((l) => l.startsWith('{') && out.includes(`${l}\n`));
			if (line) {
				clearTimeout(timer);
				resolvePromise(JSON.parse(line) as SandboxLine);
			}
		});
		child.on('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${err}`)));
	});
}

/** A megajs script in its own process: logs in with the printed account and prints what it sees. */
const MEGAJS_SCRIPT = `
const { Storage } = require('megajs');
const [gateway, email, password] = process.argv.slice(1);
const storage = new Storage({ email, password, gateway, keepalive: false });
storage.ready.then(async () => {
	const names = storage.root.children.map((c) => c.name).sort();
	const hello = storage.root.children.find((c) => c.name === 'hello.txt');
	const text = (await hello.downloadBuffer({})).toString();
	process.stdout.write(JSON.stringify({ names, text }));
	await storage.close();
}).catch((error) => { process.stderr.write(String(error && error.message)); process.exit(2); });
`;

function runMegajs(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolvePromise) => {
		const child = spawn(process.execPath, ['-e', MEGAJS_SCRIPT, ...args], { cwd: ROOT });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
	});
}

function stop(child: ChildProcess): Promise<void> {
	return new Promise((resolvePromise) => {
		if (child.exitCode !== null || child.pid === undefined) return resolvePromise();
		child.once('exit', () => resolvePromise());
		// npm runs the CLI in a child of its own: signal the whole process group.
		process.kill(-child.pid, 'SIGTERM');
	});
}

describe('sandbox CLI (npm run sandbox -- --seed --json)', () => {
	let dataDir: string;
	let child: ChildProcess | undefined;
	let printed: SandboxLine | undefined;

	beforeAll(() => {
		dataDir = mkdtempSync(join(tmpdir(), 'mega-sandbox-cli-'));
	});
	afterAll(async () => {
		if (child) await stop(child);
		rmSync(dataDir, { recursive: true, force: true });
	});

	it('prints one JSON line with gateway, control and accounts, and a megajs process can log in with it', async () => {
		// --no-s3: this suite is about the MEGA sandbox; the S3 part of the line is tested with the S3 sandbox.
		child = spawn('npm', ['run', '--silent', 'sandbox', '--', '--seed', '--json', '--no-s3', '--data-dir', dataDir], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		const line = await readJsonLine(child, 50_000);
		printed = line;
		expect(Object.keys(line).sort()).toEqual(['accounts', 'control', 'gateway']);
		expect(line.gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
		expect(line.control).toBe(`${line.gateway}__control`);
		expect(line.accounts).toEqual([
			{ email: 'demo@sandbox.local', password: 'demo-password-1', version: 2 },
			{ email: 'legacy@sandbox.local', password: 'legacy-password-1', version: 1 },
			{ email: 'twofactor@sandbox.local', password: 'twofactor-password-1', version: 2, totpSecret: expect.stringMatching(/^[A-Z2-7]{32}$/) },
		]);
		const demo = line.accounts[0];
		const result = await runMegajs([line.gateway, demo.email, demo.password]);
		expect(result.stderr).toBe('');
		expect(JSON.parse(result.stdout)).toEqual({ names: ['Documents', 'Photos', 'hello.txt'], text: 'Hello from the MEGA sandbox!\n' });
		// --data-dir: the seeded file bodies are on disk.
		expect(readdirSync(join(dataDir, 'blobs')).length).toBeGreaterThanOrEqual(4);
		const counters = (await (await fetch(`${line.control}/counters`)).json()) as { endpoints: { cs: number } };
		expect(counters.endpoints.cs).toBeGreaterThanOrEqual(6);
	});

	it('keeps running until stopped', async () => {
		const line = printed as SandboxLine;
		await new Promise((r) => setTimeout(r, 500));
		expect(child?.exitCode).toBeNull();
		expect((await fetch(`${line.control}/info`)).status).toBe(200);
		await stop(child as ChildProcess);
		child = undefined;
		// npm may exit a moment before the server process it started: wait until the port is closed.
		const closedBy = Date.now() + 15_000;
		let stillUp = true;
		while (stillUp && Date.now() < closedBy) {
			stillUp = await fetch(`${line.control}/info`).then(
				() => true,
				() => false,
			);
			if (stillUp) await new Promise((r) => setTimeout(r, 100));
		}
		expect(stillUp).toBe(false);
	});
});
