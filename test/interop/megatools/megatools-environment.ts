import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { MegaSandbox } from '../../../sandbox/mega';
import { startApiTerminator, type ApiExchange } from './api-terminator';
import { openLoopbackNamespace, type LoopbackNamespace, type NamespaceRun } from './loopback-namespace';
import { startStoragePipe } from './storage-pipe';
import { createThrowawayCertificates } from './throwaway-ca';
import { verifyIsolation } from './verify-isolation';

/** The API host megatools 1.11 has built in (`https://g.api.mega.co.nz/cs?id=…`): the only name it resolves. */
export const MEGA_API_HOSTS = ['g.api.mega.co.nz'];

export interface MegatoolsAccount {
	email: string;
	password: string;
}

export interface MegatoolsEnvironment {
	/** A scratch directory of this run (removed by close): local files for put/get/copy go here. */
	readonly workDir: string;
	/** Every API request megatools made, as the sandbox answered it. */
	readonly exchanges: ApiExchange[];
	/** `megatools <command> …` logged in as `account` (credentials from a private config file), or without login. */
	megatools(account: MegatoolsAccount | undefined, command: string, args?: string[]): Promise<NamespaceRun>;
	close(): Promise<void>;
}

const run = promisify(execFile);

async function requireCommand(command: string, why: string): Promise<void> {
	try {
		await run('sh', ['-c', `command -v ${command}`]);
	} catch {
		throw new Error(`\`${command}\` is not installed: ${why}`);
	}
}

/** megatools 1.11 or later (the upload token it expects with `v: 2`, the link forms it parses); fails loudly otherwise. */
async function requireMegatools(): Promise<void> {
	await requireCommand('megatools', "the megatools interop suite runs Debian's megatools 1.11 against the sandbox. Install it with `apt-get install megatools` (`.ci/run` does this).");
	const { stdout } = await run('megatools', ['--version']).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
	const version = /megatools (\d+)\.(\d+)/.exec(stdout);
	if (!version || Number(version[1]) * 1000 + Number(version[2]) < 1011) {
		throw new Error(`megatools 1.11 or later is needed, found ${JSON.stringify(stdout.split('\n')[0])}. Install Debian's megatools (\`apt-get install megatools\`).`);
	}
}

async function requirePrerequisites(): Promise<void> {
	if (process.getuid?.() !== 0) {
		throw new Error('The megatools interop suite must run as root: it gives megatools mount and network namespaces of its own (unshare) instead of touching /etc/hosts or the trust store. CI runs as root.');
	}
	await requireMegatools();
	await requireCommand('unshare', 'it comes with util-linux (`apt-get install util-linux`).');
	await requireCommand('nsenter', 'it comes with util-linux (`apt-get install util-linux`).');
	await requireCommand('ip', 'it brings up the loopback device of the namespace: `apt-get install iproute2` (`.ci/run` does this).');
	await requireCommand('openssl', 'it makes the throwaway CA: `apt-get install openssl`.');
}

function megarc(account: MegatoolsAccount): string {
	// GKeyFile syntax: a backslash starts an escape sequence, so it is doubled.
	const escape = (value: string): string => value.replace(/\\/g, '\\\\');
	return `[Login]\nUsername = ${escape(account.email)}\nPassword = ${escape(account.password)}\n`;
}

/**
 * megatools pointed at the sandbox without touching the machine: a throwaway CA and a TLS terminator (in this
 * process) for `https://g.api.mega.co.nz/`, megatools' own namespaces (see loopback-namespace.ts) checked before the
 * first command, and its certificate pin switched off with its own `MEGATOOLS_PKP_DISABLE=1`.
 */
export async function startMegatoolsEnvironment(sandbox: MegaSandbox): Promise<MegatoolsEnvironment> {
	await requirePrerequisites();
	const root = await mkdtemp(join(tmpdir(), 'megatools-interop-'));
	const closers: (() => Promise<void>)[] = [() => rm(root, { recursive: true, force: true })];
	const closeAll = async (): Promise<void> => {
		for (const close of closers.splice(0).reverse()) await close();
	};
	try {
		const workDir = join(root, 'work');
		const home = join(root, 'home');
		const certsDir = join(root, 'certs');
		await Promise.all([mkdir(workDir), mkdir(home), mkdir(certsDir), mkdir(join(root, 'ca'))]);
		const certificates = await createThrowawayCertificates(join(root, 'ca'), MEGA_API_HOSTS);
		const hosts = ['127.0.0.1 localhost', `127.0.0.1 ${MEGA_API_HOSTS.join(' ')}`, ''].join('\n');
		await writeFile(join(root, 'hosts'), hosts);
		await writeFile(join(certsDir, 'ca-certificates.crt'), certificates.caPem);

		const terminator = await startApiTerminator({ socketPath: join(root, 'api.sock'), key: certificates.serverKey, cert: certificates.serverCert, gateway: sandbox.gateway });
		closers.push(() => terminator.close());
		const storage = await startStoragePipe(join(root, 'storage.sock'), sandbox.port);
		closers.push(() => storage.close());
		const namespace: LoopbackNamespace = await openLoopbackNamespace({
			hostsFile: join(root, 'hosts'),
			certsDir,
			forwards: [
				{ port: 443, socketPath: join(root, 'api.sock') },
				{ port: sandbox.port, socketPath: join(root, 'storage.sock') },
			],
		});
		closers.push(() => namespace.close());
		await verifyIsolation(namespace, { hostNames: MEGA_API_HOSTS, hosts, caBundle: certificates.caPem, cwd: workDir });

		const env = {
			PATH: process.env.PATH ?? '/usr/bin:/bin',
			HOME: home,
			// megatools keeps its session and file-system cache in the temporary directory: one per run.
			TMPDIR: home,
			LANG: 'C.UTF-8',
			MEGATOOLS_PKP_DISABLE: '1',
		};
		const configs = new Map<string, string>();
		return {
			workDir,
			exchanges: terminator.exchanges,
			megatools: async (account, command, args = []) => {
				let login = ['--ignore-config-file'];
				if (account) {
					const contents = megarc(account);
					let config = configs.get(contents);
					if (!config) {
						config = join(home, `${configs.size}.megarc`);
						await writeFile(config, contents, { mode: 0o600 });
						configs.set(contents, config);
					}
					login = ['--config', config];
				}
				return namespace.run('megatools', [command, ...login, ...args], { cwd: workDir, env });
			},
			close: closeAll,
		};
	} catch (error) {
		await closeAll();
		throw error;
	}
}
