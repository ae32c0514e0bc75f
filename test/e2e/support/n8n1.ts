/**
 * n8n 1.x for the e2e layer, on the Node that runs the tests (Node 20, the oldest this package supports).
 *
 * - The tree is fixed by the committed `test/e2e/n8n1/package.json` + `package-lock.json` and installed with
 *   `npm ci --ignore-scripts` into the e2e cache folder (`e2eCacheDir()` of real-n8n.ts, outside the checkout), in a
 *   subfolder named after the lockfile's hash. n8n-nodes-base 1.x names xlsx by a cdn.sheetjs.com tarball URL, which
 *   is not the npm registry: the manifest overrides it with the registry's xlsx.
 * - sqlite3's install script alone then runs against this Node's own headers (`<prefix>/include/node`), so n8n's
 *   default SQLite database works.
 * - Run with `N8N_EXPRESSION_ENGINE=legacy` (1.x's expression engine) and 1.x's default binary mode, which keeps
 *   binaries in memory (`default`).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '../../support/node24';
import { provisionOnce } from '../../support/provision-once';
import { e2eCacheDir, type RealN8n } from './real-n8n';
import { buildSqliteBinding, sqliteBindingPath } from './sqlite-binding';
import n8n1Manifest from '../n8n1/package.json';

const run = promisify(execFile);

/** The n8n 1.x version the e2e layer runs: the `n8n` dependency of `test/e2e/n8n1/package.json`. */
export const N8N1_VERSION: string = n8n1Manifest.dependencies.n8n;

const MANIFEST_DIR = join(repoRoot, 'test', 'e2e', 'n8n1');

/** Environment n8n 1.x needs besides createN8nHome's: its own expression engine, binaries in memory (its default). */
export const N8N1_ENV: NodeJS.ProcessEnv = {
	N8N_EXPRESSION_ENGINE: 'legacy',
	N8N_DEFAULT_BINARY_DATA_MODE: 'default',
};

/** Installs (once) the locked n8n 1.x tree for this Node; later calls only find it. */
export async function ensureN8n1(): Promise<RealN8n> {
	const cacheDir = e2eCacheDir();
	const nodeBinary = process.execPath;
	// Node's own headers: `<prefix>/include/node` next to `<prefix>/bin/node` (Debian's nodejs and the official builds).
	const nodeHome = dirname(dirname(nodeBinary));
	if (!existsSync(join(nodeHome, 'include', 'node', 'node_api.h'))) {
		throw new Error(`Node ${process.version}'s headers are missing from ${join(nodeHome, 'include', 'node')}; sqlite3 for n8n 1.x is built against them (Debian: apt-get install libnode-dev)`);
	}
	const lock = readFileSync(join(MANIFEST_DIR, 'package-lock.json'));
	const lockHash = createHash('sha256').update(lock).digest('hex').slice(0, 12);
	const nodeMajor = process.versions.node.split('.')[0];
	const n8nDir = await provisionOnce(join(cacheDir, `n8n-${N8N1_VERSION}-node${nodeMajor}-${lockHash}`), async (scratch) => {
		for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(MANIFEST_DIR, file), join(scratch, file));
		await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: scratch, maxBuffer: 64 * 2 ** 20 });
		await buildSqliteBinding(scratch, nodeHome);
	});
	const n8nEntry = join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
	for (const file of [n8nEntry, sqliteBindingPath(n8nDir)]) {
		if (!existsSync(file)) throw new Error(`${file} is missing from the e2e cache: delete ${n8nDir} and run again`);
	}
	return { nodeBinary, n8nEntry, n8nDir, cacheDir };
}
