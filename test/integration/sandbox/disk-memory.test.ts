import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

describe('sandbox --data-dir keeps big files out of RAM', () => {
	it('moves 256 MiB up and down with RSS growing by far less than the file (fresh child process)', async () => {
		const size = 256 * 1024 * 1024;
		const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
			const child = spawn(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(__dirname, 'fixtures/disk-memory-child.ts'), String(size)], { cwd: ROOT });
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
			child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
			child.on('exit', (code) => done({ code, stdout, stderr }));
		});
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		const figures = JSON.parse(result.stdout) as { bytes: number; baselineRssMiB: number; peakRssMiB: number };
		expect(figures.bytes).toBe(size);
		expect(figures.peakRssMiB - figures.baselineRssMiB).toBeLessThan(100);
	}, 120_000);
});
