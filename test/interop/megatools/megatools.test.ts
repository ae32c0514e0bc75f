/**
 * Debian's megatools (1.11, a MEGA client written in C by other people) against the MEGA sandbox: logins (v1 and v2
 * accounts), df, ls, test, mkdir, put, get, export + dl without login (every link form it parses), copy up and down,
 * rm, and files crossing between megatools and our core. megatools has MEGA's API host built in and pins its
 * certificate, so it runs in namespaces of its own (megatools-environment.ts); the machine's /etc/hosts and trust
 * store are fingerprinted before and compared while it runs and after.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { MegaClient, forgetLiveTrees, publicFileInfo } from '../../../core/mega/client';
import { clearSessionCache } from '../../../core/mega/session';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { openLoopbackNamespace } from './loopback-namespace';
import { fingerprintMachineTrustFiles } from './machine-trust-files';
import { startMegatoolsEnvironment, MEGA_API_HOSTS, type MegatoolsAccount, type MegatoolsEnvironment } from './megatools-environment';
import type { NamespaceRun } from './loopback-namespace';
import { verifyIsolation } from './verify-isolation';

const STORAGE_BYTES = 3 * 1024 ** 3;
const V2: MegatoolsAccount = { email: 'megatools-v2@interop.local', password: 'v2 pässwörd with spaces' };
const V1: MegatoolsAccount = { email: 'megatools-v1@interop.local', password: 'v1 password' };

let machineFilesBefore: Record<string, string>;
let sandbox: MegaSandbox;
let env: MegatoolsEnvironment;

beforeAll(async () => {
	machineFilesBefore = await fingerprintMachineTrustFiles();
	sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 2_000 });
	await sandbox.createAccount({ ...V2, version: 2, storageBytes: STORAGE_BYTES });
	await sandbox.createAccount({ ...V1, version: 1, storageBytes: STORAGE_BYTES });
	env = await startMegatoolsEnvironment(sandbox);
}, 60_000);

afterAll(async () => {
	await env?.close();
	await sandbox?.close();
	clearSessionCache();
	forgetLiveTrees();
	// The namespaces are gone now: the machine's files must be exactly as they were before the suite.
	expect(await fingerprintMachineTrustFiles()).toEqual(machineFilesBefore);
});

function sha256(data: Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}

/**
 * The run must have succeeded without a word on stderr (megatools warns there when it skips a node it cannot read,
 * e.g. a key or attribute the sandbox got wrong); on failure the message carries megatools' own output.
 */
function succeeded(run: NamespaceRun): string {
	if (run.code !== 0) throw new Error(`megatools exited with ${run.code ?? run.signal}: ${run.stderr.trim()}`);
	if (run.stderr.trim() !== '') throw new Error(`megatools succeeded but said on stderr: ${run.stderr.trim()}`);
	return run.stdout.toString('utf8');
}

async function megatools(account: MegatoolsAccount | undefined, command: string, args: string[] = []): Promise<string> {
	return succeeded(await env.megatools(account, command, args));
}

interface ListedNode {
	handle: string;
	type: number;
	size: number | null;
	path: string;
}

/** `megatools ls -l`: handle, owner, type (0 file, 1 folder, 2 root, 3 inbox, 4 rubbish), size or "-", date, time, path. */
function parseLongListing(output: string): ListedNode[] {
	return output.split('\n').filter(Boolean).map((line) => {
		const match = /^(\S+)\s+(?:\S+\s+)?(\d)\s+(\d+|-)\s+(?:\S+ \S+\s+)?(\/.*)$/.exec(line);
		if (!match) throw new Error(`unexpected ls -l line: ${JSON.stringify(line)}`);
		return { handle: match[1], type: Number(match[2]), size: match[3] === '-' ? null : Number(match[3]), path: match[4] };
	});
}

/** `megatools df`: "Total: N", "Used: N", "Free: N" in bytes. */
function parseDf(output: string): { total: number; used: number; free: number } {
	const value = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(output)?.[1] ?? NaN);
	return { total: value('Total'), used: value('Used'), free: value('Free') };
}

/** JSON.parse without an error message that quotes the text (which may hold a session id). */
function parseQuietly(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

/** Relative path → sha256 of every file under `dir` (and "dir" for each folder). */
async function localTree(dir: string): Promise<Record<string, string>> {
	const tree: Record<string, string> = {};
	const visit = async (path: string): Promise<void> => {
		for (const entry of await readdir(path, { withFileTypes: true })) {
			const full = join(path, entry.name);
			if (entry.isDirectory()) {
				tree[relative(dir, full)] = 'dir';
				await visit(full);
			} else tree[relative(dir, full)] = sha256(await readFile(full));
		}
	};
	await visit(dir);
	return tree;
}

async function localDir(name: string): Promise<string> {
	const dir = join(env.workDir, name);
	await mkdir(dir, { recursive: true });
	return dir;
}

async function coreClient(account: MegatoolsAccount): Promise<MegaClient> {
	return MegaClient.connect({ kind: 'password', ...account }, { gateway: sandbox.gateway, fresh: true });
}

async function coreDownload(client: MegaClient, path: string): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of await client.download(path)) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** The three upload sizes of the issue: one byte, exactly one first chunk (128 KiB), and 5 MiB + 3 (several chunks, a ragged tail). */
const UPLOADS = [
	{ name: 'one-byte.bin', data: randomBytes(1) },
	{ name: 'one-chunk.bin', data: randomBytes(131_072) },
	{ name: 'five-mib-plus-3.bin', data: randomBytes(5 * 1_048_576 + 3) },
];

/** A sub-folder with a non-ASCII name and a file in it (for folder links narrowed to a sub-folder). */
const INNER = { folder: 'Ünïcödé ✓', name: 'inner.txt', data: Buffer.from('inside the sub-folder\n') };

describe('megatools runs isolated', () => {
	it('refuses to run megatools when its namespace does not map the API name to 127.0.0.1', async () => {
		const dir = await mkdtemp(join(tmpdir(), 'megatools-refusal-'));
		try {
			await mkdir(join(dir, 'certs'));
			await writeFile(join(dir, 'hosts'), '127.0.0.1 localhost\n');
			await writeFile(join(dir, 'certs', 'ca-certificates.crt'), 'not the CA\n');
			const namespace = await openLoopbackNamespace({ hostsFile: join(dir, 'hosts'), certsDir: join(dir, 'certs'), forwards: [] });
			try {
				const check = verifyIsolation(namespace, { hostNames: MEGA_API_HOSTS, hosts: '127.0.0.1 localhost\n', caBundle: 'the CA\n', cwd: dir });
				await expect(check).rejects.toThrow(/Refusing to run megatools[\s\S]*g\.api\.mega\.co\.nz resolves to \[\][\s\S]*the CA bundle inside is not the throwaway CA/);
			} finally {
				await namespace.close();
			}
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});

	it('leaves the machine /etc/hosts and trust store untouched while its namespaces are up', async () => {
		await megatools(V2, 'df');
		expect(await fingerprintMachineTrustFiles()).toEqual(machineFilesBefore);
	});
});

describe('megatools against the sandbox', () => {
	it('logs in to a v2 and a v1 account (df, ls) and fails clearly with a wrong password', async () => {
		for (const account of [V2, V1]) {
			const df = parseDf(await megatools(account, 'df'));
			expect(df.total).toBe(STORAGE_BYTES);
			expect(df.used + df.free).toBe(STORAGE_BYTES);
			const roots = parseLongListing(await megatools(account, 'ls', ['-l', '--reload']));
			expect(roots.filter((node) => node.path !== '/Contacts').map((node) => [node.path, node.type])).toEqual(
				expect.arrayContaining([['/Root', 2], ['/Inbox', 3], ['/Trash', 4]]),
			);
		}
		const wrong = await env.megatools({ email: V2.email, password: 'not the password' }, 'df');
		expect(wrong.code).not.toBe(0);
		// MEGA answers a wrong password with ENOENT (-9) to `us`; megatools says so.
		expect(wrong.stderr).toMatch(/Can't login[\s\S]*'us'[\s\S]*ENOENT/);
	});

	it('mkdir, put 1 B / 128 KiB / 5 MiB + 3, ls, test, and get with equal sha256', async () => {
		await megatools(V2, 'mkdir', ['/Root/Uploads', `/Root/Uploads/${INNER.folder}`]);
		const source = await localDir('uploads');
		for (const { name, data } of UPLOADS) await writeFile(join(source, name), data);
		await megatools(V2, 'put', ['--no-progress', '--path', '/Root/Uploads', ...UPLOADS.map(({ name }) => join(source, name))]);
		await writeFile(join(source, INNER.name), INNER.data);
		await megatools(V2, 'put', ['--no-progress', '--path', `/Root/Uploads/${INNER.folder}`, join(source, INNER.name)]);

		const listed = parseLongListing(await megatools(V2, 'ls', ['-l', '/Root/Uploads']));
		expect(listed.map(({ path, type, size }) => ({ path, type, size }))).toEqual(
			expect.arrayContaining([
				{ path: `/Root/Uploads/${INNER.folder}`, type: 1, size: null },
				...UPLOADS.map(({ name, data }) => ({ path: `/Root/Uploads/${name}`, type: 0, size: data.length })),
			]),
		);
		expect((await env.megatools(V2, 'test', ['-f', '/Root/Uploads/one-byte.bin'])).code).toBe(0);
		expect((await env.megatools(V2, 'test', ['-d', '/Root/Uploads/one-byte.bin'])).code).not.toBe(0);
		expect((await env.megatools(V2, 'test', ['-d', `/Root/Uploads/${INNER.folder}`])).code).toBe(0);

		const target = await localDir('gotten');
		await megatools(V2, 'get', ['--no-progress', '--path', target, ...UPLOADS.map(({ name }) => `/Root/Uploads/${name}`)]);
		for (const { name, data } of UPLOADS) expect(sha256(await readFile(join(target, name)))).toBe(sha256(data));
		const streamed = await env.megatools(V2, 'get', ['--no-progress', '--path', '-', '/Root/Uploads/one-chunk.bin']);
		succeeded(streamed);
		expect(sha256(streamed.stdout)).toBe(sha256(UPLOADS[1].data));

		// Both clients count the same bytes as used.
		const quota = await (await coreClient(V2)).quota();
		expect(parseDf(await megatools(V2, 'df', ['--reload'])).used).toBe(quota.storageUsed);
		expect(quota.storageUsed).toBeGreaterThanOrEqual(UPLOADS.reduce((sum, { data }) => sum + data.length, 0));
	});

	it('export, then dl without login from the legacy and the new file link forms and from folder links', async () => {
		const big = UPLOADS[2];
		const exported = (await megatools(V2, 'export', ['/Root/Uploads/five-mib-plus-3.bin'])).trim();
		const legacy = /^(https:\/\/mega\.nz\/#!([\w-]{8})!([\w-]{43}))\s/.exec(`${exported} `);
		if (!legacy) throw new Error(`megatools export printed ${JSON.stringify(exported)}, expected a https://mega.nz/#!handle!key link`);
		const [, legacyLink, handle, key] = legacy;
		const newLink = `https://mega.nz/file/${handle}#${key}`;
		// Our core reads megatools' link as the same file.
		expect(await publicFileInfo(legacyLink, { gateway: sandbox.gateway })).toMatchObject({ handle, name: big.name, size: big.data.length });

		const before = env.exchanges.length;
		for (const [index, link] of [legacyLink, newLink].entries()) {
			const target = await localDir(`dl-file-${index}`);
			await megatools(undefined, 'dl', ['--no-progress', '--path', target, link]);
			expect(sha256(await readFile(join(target, big.name)))).toBe(sha256(big.data));
		}
		// No session: not one of those requests carried a `sid` (counted, so a failure prints no session id).
		expect(env.exchanges.slice(before).filter((exchange) => /[?&]sid=/.test(exchange.path)).length).toBe(0);
		expect(env.exchanges.length).toBeGreaterThan(before);

		// `ls -e` exports every file it lists (one `l` each) and prints its link.
		const links = Object.fromEntries(
			(await megatools(V2, 'ls', ['-e', '/Root/Uploads'])).split('\n').filter((line) => line.startsWith('https://')).map((line) => {
				const [link, path] = line.split(/ (?=\/)/);
				return [path, link];
			}),
		);
		expect(links['/Root/Uploads/five-mib-plus-3.bin']).toBe(legacyLink);
		const oneByte = await localDir('dl-ls-e');
		await megatools(undefined, 'dl', ['--no-progress', '--path', oneByte, links['/Root/Uploads/one-byte.bin']]);
		expect(await readFile(join(oneByte, 'one-byte.bin'))).toEqual(UPLOADS[0].data);

		// A folder link made by our core: dl fetches every file below it; a sub-folder handle after the key (legacy
		// `#F!h!k!handle`, new `/folder/h#k/folder/handle`) narrows it to that sub-folder. (megatools 1.11 fails a
		// legacy `#F!h!k` link WITHOUT the sub-folder part, "Node not found: ", after the same request and the same
		// answer as for the new form: its optional third regex group comes back as "" and it looks for a node with an
		// empty handle. A client bug, not tested.)
		const client = await coreClient(V2);
		const folderLink = (await client.createLink('/Uploads')).url;
		// Added after the link exists: our core sends the share key (`cr`), so the link opens it too.
		const later = { name: 'added-after-the-link.txt', data: Buffer.from('shared later\n') };
		await client.upload({ parent: '/Uploads', name: later.name, source: later.data });
		const folder = /^https:\/\/mega\.nz\/folder\/([\w-]{8})#([\w-]{22})$/.exec(folderLink);
		if (!folder) throw new Error(`unexpected folder link ${folderLink}`);
		const inner = (await client.info(`/Uploads/${INNER.folder}`)).handle;
		const everything = {
			...Object.fromEntries(UPLOADS.map(({ name, data }) => [name, sha256(data)])),
			[`${INNER.folder}/${INNER.name}`]: sha256(INNER.data),
			[later.name]: sha256(later.data),
		};
		const innerOnly = { [INNER.name]: sha256(INNER.data) };
		const folderLinks: [string, Record<string, string>][] = [
			[folderLink, everything],
			[`${folderLink}/folder/${inner}`, innerOnly],
			[`https://mega.nz/#F!${folder[1]}!${folder[2]}!${inner}`, innerOnly],
		];
		for (const [index, [link, expected]] of folderLinks.entries()) {
			const target = await localDir(`dl-folder-${index}`);
			await megatools(undefined, 'dl', ['--no-progress', '--path', target, link]);
			const files = Object.fromEntries(Object.entries(await localTree(target)).filter(([, hash]) => hash !== 'dir'));
			expect(files).toEqual(expected);
		}
	});

	it('copy a small tree up and down, and rm files and folders', async () => {
		const tree = await localDir('tree-up');
		await mkdir(join(tree, 'sub', 'deeper'), { recursive: true });
		await writeFile(join(tree, 'a.txt'), 'alpha\n');
		await writeFile(join(tree, 'sub', 'b.bin'), randomBytes(200_003));
		await writeFile(join(tree, 'sub', 'deeper', 'c — ü.txt'), 'gamma\n');
		await megatools(V2, 'mkdir', ['/Root/Tree']);
		await megatools(V2, 'copy', ['--no-progress', '--local', tree, '--remote', '/Root/Tree']);

		const remote = parseLongListing(await megatools(V2, 'ls', ['-l', '-R', '/Root/Tree']));
		expect(remote.map(({ path, size }) => [path, size]).sort()).toEqual([
			['/Root/Tree', null],
			['/Root/Tree/a.txt', 6],
			['/Root/Tree/sub', null],
			['/Root/Tree/sub/b.bin', 200_003],
			['/Root/Tree/sub/deeper', null],
			['/Root/Tree/sub/deeper/c — ü.txt', 6],
		]);
		// Our core sees the same tree.
		const client = await coreClient(V2);
		expect((await client.list('/Tree', { recursive: true })).map((node) => [node.path, node.type === 'file' ? node.size : null]).sort()).toEqual(
			remote.filter(({ path }) => path !== '/Root/Tree').map(({ path, size }) => [path.replace(/^\/Root/, ''), size]).sort(),
		);

		const down = await localDir('tree-down');
		await megatools(V2, 'copy', ['--no-progress', '--download', '--local', down, '--remote', '/Root/Tree']);
		expect(await localTree(down)).toEqual(await localTree(tree));

		const removedLink = (await megatools(V2, 'export', ['/Root/Tree/sub/b.bin'])).trim().split(/\s+/)[0];
		await megatools(V2, 'rm', ['/Root/Tree/sub/b.bin', '/Root/Tree/sub/deeper']);
		expect(parseLongListing(await megatools(V2, 'ls', ['-l', '-R', '/Root/Tree'])).map(({ path }) => path).sort()).toEqual([
			'/Root/Tree',
			'/Root/Tree/a.txt',
			'/Root/Tree/sub',
		]);
		const removed = await env.megatools(V2, 'rm', ['/Root/Tree/sub/b.bin']);
		expect(removed.code).not.toBe(0);
		expect(removed.stderr).toMatch(/not found/i);
		// The link of a removed file is gone: MEGA answers its `g` with ENOENT.
		const gone = await env.megatools(undefined, 'dl', ['--no-progress', '--path', await localDir('dl-removed'), removedLink]);
		expect(gone.code).not.toBe(0);
		expect(gone.stderr).toMatch(/'g' failed[\s\S]*ENOENT/);
		const after = await coreClient(V2);
		expect((await after.list('/Tree', { recursive: true })).map((node) => node.path).sort()).toEqual(['/Tree/a.txt', '/Tree/sub']);
		expect((await after.listRubbishBin({ recursive: true })).map((node) => node.name)).not.toContain('b.bin');
	});

	it.each([
		['v2', V2],
		['v1', V1],
	])('files cross between megatools and our core both ways (%s account)', async (version, account) => {
		const client = await coreClient(account);
		// megatools put, our core reads.
		const fromMegatools = randomBytes(2 * 1_048_576 + 5);
		const local = await localDir(`cross-${version}`);
		await writeFile(join(local, 'from-megatools.bin'), fromMegatools);
		await megatools(account, 'mkdir', ['/Root/Cross']);
		await megatools(account, 'put', ['--no-progress', '--path', '/Root/Cross', join(local, 'from-megatools.bin')]);
		const core = await coreClient(account);
		expect((await core.info('/Cross/from-megatools.bin')).size).toBe(fromMegatools.length);
		expect(sha256(await coreDownload(core, '/Cross/from-megatools.bin'))).toBe(sha256(fromMegatools));

		// Our core uploads (a folder, a file with an mtime), megatools lists and gets it.
		const fromCore = randomBytes(3 * 1_048_576 + 1);
		await client.mkdir('/Cross/From core');
		await client.upload({ parent: '/Cross/From core', name: 'from-core.bin', source: fromCore, mtime: 1_700_000_000 });
		const listed = parseLongListing(await megatools(account, 'ls', ['-l', '--reload', '/Root/Cross/From core']));
		expect(listed.map(({ path, size }) => [path, size])).toEqual(expect.arrayContaining([['/Root/Cross/From core/from-core.bin', fromCore.length]]));
		const target = await localDir(`cross-${version}-down`);
		await megatools(account, 'get', ['--no-progress', '--path', target, '/Root/Cross/From core/from-core.bin']);
		expect(sha256(await readFile(join(target, 'from-core.bin')))).toBe(sha256(fromCore));
	});

	it('made only requests the sandbox accepted, all to the API name (but the two refusals the tests provoked)', () => {
		expect(env.exchanges.length).toBeGreaterThan(20);
		expect([...new Set(env.exchanges.map((exchange) => exchange.host))]).toEqual(MEGA_API_HOSTS);
		const refused = env.exchanges.flatMap((exchange): { status?: number; error?: number; commands: (string | undefined)[] }[] => {
			// Bodies carry login hashes and session ids: a failure here names commands and numbers only.
			const commands = parseQuietly(exchange.requestBody);
			const reply = parseQuietly(exchange.responseBody);
			if (!Array.isArray(commands)) return [{ status: exchange.status, commands: ['(not a JSON array of commands)'] }];
			if (exchange.status !== 200) return [{ status: exchange.status, commands: commands.map((command: { a?: string }) => command.a) }];
			if (typeof reply === 'number' && reply < 0) return [{ error: reply, commands: commands.map((command: { a?: string }) => command.a) }];
			if (!Array.isArray(reply)) return [{ status: exchange.status, commands: ['(reply neither a JSON array nor an error number)'] }];
			return reply.flatMap((result: unknown, index) => (typeof result === 'number' && result < 0 ? [{ error: result, commands: [(commands[index] as { a?: string } | undefined)?.a] }] : []));
		});
		// The wrong password (us0 answers the salt, `us` fails) and the link of a removed file (`g`): ENOENT, as MEGA.
		expect(refused).toEqual([
			{ error: -9, commands: ['us'] },
			{ error: -9, commands: ['g'] },
		]);
	});
});
