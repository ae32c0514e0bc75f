import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where n8n's sqlite3 looks for its native binding; without it n8n says "SQLite package has not been found installed". */
export const sqliteBindingPath = (n8nDir: string) => join(n8nDir, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');

/**
 * sqlite3's install script (prebuild-install, else node-gyp) with install scripts switched on for this one command:
 * under `npm run`, the repo's `.npmrc` (`ignore-scripts=true`) reaches every child npm as `npm_config_ignore_scripts`,
 * and `npm rebuild` then reports success having built nothing.
 */
export async function buildSqliteBinding(n8nDir: string, nodeHome: string): Promise<void> {
	const binding = sqliteBindingPath(n8nDir);
	let log = '';
	try {
		const result = await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts'], {
			cwd: n8nDir,
			maxBuffer: 64 * 2 ** 20,
			env: {
				...process.env,
				npm_config_ignore_scripts: 'false',
				npm_config_nodedir: nodeHome,
				PATH: `${join(nodeHome, 'bin')}:${process.env.PATH ?? ''}`,
			},
		});
		log = `${result.stdout}\n${result.stderr}`;
	} catch (error) {
		const failed = error as { stdout?: string; stderr?: string; message: string };
		log = `${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`;
	}
	if (!existsSync(binding)) {
		throw new Error(
			`sqlite3's native binding was not built (${binding} is missing), so n8n would fail with "SQLite package has not been found installed". ` +
				`Building it needs python3, make and a C++ compiler (Debian: apt-get install python3 make g++). Build log (tail):\n${log.slice(-4000)}`,
		);
	}
}
