/** `npm run sandbox -- --json` starts the S3 sandbox too, prints it under an "s3" key and stops it cleanly on SIGTERM. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createBucket, createS4Client, destroyS4Client, listBuckets } from '../../../core/s4';

const ROOT = resolve(__dirname, '../../..');

interface Line {
	gateway: string;
	s3: { endpoint: string; gatewayEndpoint: string; accessKeyId: string; secretAccessKey: string; region: string };
}

function firstJsonLine(child: ChildProcess, timeoutMs: number): Promise<Line> {
	return new Promise((resolvePromise, reject) => {
		let out = '';
		let err = '';
		const timer = setTimeout(() => reject(new Error(`no JSON line within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
		child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
		child.stdout?.on('data', (c: Buffer) => {
			out += c.toString();
			const line = out.split('\n').find((l) => l.startsWith('{') && out.includes(`${l}\n`));
			if (line) {
				clearTimeout(timer);
				resolvePromise(JSON.parse(line) as Line);
			}
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`sandbox exited with ${code}: ${err}`));
		});
	});
}

async function answers(url: string): Promise<boolean> {
	return fetch(url).then(
		() => true,
		() => false,
	);
}

test('the default start adds endpoint, gateway and keys; the keys work through the strict proxy; SIGTERM stops the gateway', async () => {
	const child = spawn('npm', ['run', '--silent', 'sandbox', '--', '--json'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	try {
		const line = await firstJsonLine(child, 180_000);
		expect(line.s3).toEqual({
			endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
			gatewayEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
			accessKeyId: expect.any(String),
			secretAccessKey: expect.any(String),
			region: 'eu-central-1',
		});
		const client = createS4Client({ ...line.s3, endpoint: line.s3.endpoint });
		await createBucket(client, 'cli-check');
		expect((await listBuckets(client)).map((b) => b.name)).toContain('cli-check');
		destroyS4Client(client);

		const exited = new Promise<void>((r) => child.once('exit', () => r()));
		process.kill(-(child.pid as number), 'SIGTERM');
		await exited;
		const deadline = Date.now() + 20_000;
		while ((await answers(line.s3.gatewayEndpoint)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
		expect(await answers(line.s3.gatewayEndpoint)).toBe(false);
		expect(await answers(line.s3.endpoint)).toBe(false);
	} finally {
		// Only when the test failed before stopping it: a SIGKILL after a clean SIGTERM would cut the clean-up short.
		if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
	}
}, 240_000);
