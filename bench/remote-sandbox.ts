/** A sandbox in a child process, driven over its control endpoint (bench only). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { httpRequest, readAll } from '../core/mega/api/http';

export interface RemoteAccount {
	email: string;
	password: string;
	rootHandle: string;
}

export class RemoteSandbox {
	private constructor(
		private readonly child: ChildProcess,
		readonly gateway: string,
		readonly controlUrl: string,
	) {}

	static async start(options: { dataDir?: string } = {}): Promise<RemoteSandbox> {
		const args = ['--import', 'tsx', join(__dirname, 'sandbox-process.ts')];
		if (options.dataDir) args.push('--data-dir', options.dataDir);
		const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], cwd: join(__dirname, '..') });
		const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
		const first = await new Promise<string>((resolve, reject) => {
			lines.once('line', resolve);
			child.once('exit', (code) => reject(new Error(`sandbox process exited with ${code}`)));
		});
		const { gateway, controlUrl } = JSON.parse(first) as { gateway: string; controlUrl: string };
		return new RemoteSandbox(child, gateway, controlUrl);
	}

	async control<T>(action: string, body?: unknown): Promise<T> {
		const response = await httpRequest(`${this.controlUrl}/${action}`, {
			method: body === undefined ? 'GET' : 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
			proxy: false,
		});
		const text = (await readAll(response.body)).toString('utf8');
		if (response.status !== 200) throw new Error(`sandbox control ${action}: HTTP ${response.status} ${text}`);
		return JSON.parse(text) as T;
	}

	async createAccount(email: string, password: string): Promise<RemoteAccount> {
		const { account } = await this.control<{ account: RemoteAccount }>('accounts', { email, password, version: 2 });
		return { ...account, password };
	}

	async close(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.stdin?.end();
		const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
		await exited;
		clearTimeout(timer);
	}
}
