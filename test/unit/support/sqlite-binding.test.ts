/**
 * The e2e set-up's sqlite3 build (test/e2e/support/sqlite-binding.ts), against a stand-in sqlite3 package whose install
 * script writes (or fails to write) the binding: the script must run even when the environment says
 * `npm_config_ignore_scripts=true`, as it does under `npm run`, and a missing binding must fail loudly.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSqliteBinding, sqliteBindingPath } from '../../e2e/support/sqlite-binding';
import { existsSync } from 'node:fs';

describe('buildSqliteBinding', () => {
	let dir: string;
	const savedIgnoreScripts = process.env.npm_config_ignore_scripts;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'sqlite-binding-'));
		process.env.npm_config_ignore_scripts = 'true';
	});
	afterEach(() => {
		rmSync(dir, { recursive: true, force: true });
		if (savedIgnoreScripts === undefined) delete process.env.npm_config_ignore_scripts;
		else process.env.npm_config_ignore_scripts = savedIgnoreScripts;
	});

	const fakeSqlite = (installScript: string) => {
		writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fake-n8n', private: true, dependencies: { sqlite3: '5.1.7' } }));
		const pkg = join(dir, 'node_modules', 'sqlite3');
		mkdirSync(pkg, { recursive: true });
		writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'sqlite3', version: '5.1.7', scripts: { install: installScript } }));
	};

	it('runs the install script although npm_config_ignore_scripts=true is in the environment', async () => {
		fakeSqlite(`node -e "require('fs').mkdirSync('build/Release',{recursive:true});require('fs').writeFileSync('build/Release/node_sqlite3.node','')"`);
		await buildSqliteBinding(dir, join(dir, 'no-node-here'));
		expect(existsSync(sqliteBindingPath(dir))).toBe(true);
	}, 60_000);

	it('fails with the reason and the build log when the script built nothing', async () => {
		fakeSqlite('node -e "console.log(\'gyp ERR! no compiler\')"');
		await expect(buildSqliteBinding(dir, join(dir, 'no-node-here'))).rejects.toThrow(/native binding was not built[\s\S]*python3, make[\s\S]*gyp ERR! no compiler/);
	}, 60_000);

	it('fails with the build log when the script fails', async () => {
		fakeSqlite('node -e "console.error(\'node-gyp rebuild failed\'); process.exit(1)"');
		await expect(buildSqliteBinding(dir, join(dir, 'no-node-here'))).rejects.toThrow(/native binding was not built[\s\S]*node-gyp rebuild failed/);
	}, 60_000);
});
