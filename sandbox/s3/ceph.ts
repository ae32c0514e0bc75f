/**
 * A throwaway single-node Ceph cluster (one mon, one memstore OSD, no mgr) with a RADOS Gateway on 127.0.0.1,
 * built from Debian's packages (the steps below). Everything lives in a temporary directory that `stop()` removes;
 * daemons run in the foreground as our children, so they die with a clean stop and are killed on process exit.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const CEPH_PACKAGES = ['ceph-mon', 'ceph-osd', 'radosgw', 'ceph-common'] as const;
const REQUIRED_BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'ceph', 'ceph-authtool', 'monmaptool', 'radosgw-admin'];
const INSTALL_COMMAND = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${CEPH_PACKAGES.join(' ')}`;

export class CephSandboxError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'CephSandboxError';
	}
}

export interface CephGatewayOptions {
	/** Gateway port on 127.0.0.1; 0 (default) picks a free one. */
	rgwPort?: number;
	/** Monitor port on 127.0.0.1; 0 (default) picks a free one. */
	monPort?: number;
	/** Parent folder for the cluster's temporary directory (default: the OS temp dir). */
	dataDir?: string;
	/** Size of the in-memory OSD device (default 1.5 GiB: room for a 256 MiB round trip plus copies). */
	memstoreBytes?: number;
	accessKeyId?: string;
	secretAccessKey?: string;
	/** Install the Debian packages when missing (only as root). Default true. */
	install?: boolean;
	log?: (line: string) => void;
}

export interface CephGateway {
	/** `http://127.0.0.1:<rgwPort>` */
	endpoint: string;
	accessKeyId: string;
	secretAccessKey: string;
	directory: string;
	stop(): Promise<void>;
}

function run(command: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = execFile(command, args, { timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
			if (error) {
				reject(new CephSandboxError(`${command} ${args.join(' ')} failed: ${String(stderr || error.message).trim()}`, { cause: error }));
				return;
			}
			resolve(stdout);
		});
		if (options.input !== undefined) child.stdin?.end(options.input);
	});
}

function defaultBinDirs(): string[] {
	return (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/bin', '/usr/sbin', '/sbin']);
}

function hasBinary(name: string, binDirs: string[]): boolean {
	return binDirs.some((dir) => dir && existsSync(path.join(dir, name)));
}

/** Installs the Debian packages when a binary is missing and we are root; otherwise says exactly what to install. */
export async function ensureCephInstalled(
	install = true,
	log: (line: string) => void = () => {},
	/** Where to look for the binaries (default: PATH plus the sbin folders). */
	binDirs: string[] = defaultBinDirs(),
): Promise<void> {
	const missing = REQUIRED_BINARIES.filter((b) => !hasBinary(b, binDirs));
	if (missing.length === 0) return;
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!install || !isRoot || !hasBinary('apt-get', defaultBinDirs())) {
		throw new CephSandboxError(
			`The S3 sandbox needs Debian's Ceph packages (missing: ${missing.join(', ')}). Install them as root with:\n  ${INSTALL_COMMAND}`,
		);
	}
	log(`installing ${CEPH_PACKAGES.join(' ')} (missing: ${missing.join(', ')})`);
	await new Promise<void>((resolve, reject) => {
		const child = spawn('sh', ['-c', INSTALL_COMMAND], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
		let stderr = '';
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.on('error', reject);
		child.on('exit', (code) =>
			code === 0 ? resolve() : reject(new CephSandboxError(`Installing the Ceph packages failed (exit ${code}): ${stderr.trim().slice(-2000)}`)),
		);
	});
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>, daemons: Daemon[]): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const dead = daemons.find((d) => d.exited);
		if (dead) throw new CephSandboxError(`${dead.name} exited while waiting for ${what}: ${dead.lastOutput().trim().slice(-2000)}`);
		if (await probe().catch(() => false)) return;
		if (Date.now() > deadline) throw new CephSandboxError(`${what} did not come up within ${Math.round(timeoutMs / 1000)} s`);
		await sleep(500);
	}
}

function httpAnswers(url: string): Promise<boolean> {
	return new Promise((resolve) => {
		const request = http.get(url, (res) => {
			res.resume();
			resolve(true);
		});
		request.setTimeout(2000, () => request.destroy());
		request.on('error', () => resolve(false));
	});
}

interface Daemon {
	name: string;
	child: ChildProcess;
	exited: boolean;
	lastOutput(): string;
}

function startDaemon(name: string, command: string, args: string[], log: (line: string) => void, onExit?: () => void): Daemon {
	const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const keep = (d: Buffer) => {
		output = (output + d.toString()).slice(-8000);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const daemon: Daemon = { name, child, exited: false, lastOutput: () => output };
	child.on('exit', (code, signal) => {
		daemon.exited = true;
		log(`${name} exited (${signal ?? code})`);
		onExit?.();
	});
	child.on('error', (error) => {
		daemon.exited = true;
		output += `\n${error.message}`;
	});
	return daemon;
}

async function stopDaemon(daemon: Daemon): Promise<void> {
	if (daemon.exited || daemon.child.exitCode !== null) return;
	const exited = new Promise<void>((resolve) => daemon.child.once('exit', () => resolve()));
	daemon.child.kill('SIGTERM');
	let timer: NodeJS.Timeout | undefined;
	const timedOut = await Promise.race([
		exited.then(() => false),
		new Promise<boolean>((resolve) => {
			timer = setTimeout(() => resolve(true), 10_000);
		}),
	]);
	clearTimeout(timer);
	if (timedOut) {
		daemon.child.kill('SIGKILL');
		await exited;
	}
}

const liveDaemons = new Set<Daemon>();
const liveDirectories = new Set<string>();
let exitHookInstalled = false;
/** A crashed test run must not leave daemons or RAM-backed data behind. */
function cleanUpOnExit(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => {
		for (const daemon of liveDaemons) if (!daemon.exited) daemon.child.kill('SIGKILL');
		for (const dir of liveDirectories) rmSync(dir, { recursive: true, force: true });
	});
}

function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number, memstoreBytes: number): string {
	// `$name` stays literal: Ceph expands it per daemon.
	return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr1 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
mon warn on insecure global id reclaim allowed = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
osd objectstore = memstore
memstore device bytes = ${memstoreBytes}
run dir = ${dir}/run
pid file = ${dir}/run/$name.pid
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
keyring = ${dir}/$name.keyring
[mon.a]
mon data = ${dir}/mon
[osd.0]
osd data = ${dir}/osd
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
rgw dns name = 127.0.0.1
rgw relaxed region enforcement = true
`;
}

/** Starts mon, OSD and gateway, creates the test user, and returns the gateway endpoint and keys. */
export async function startCephGateway(options: CephGatewayOptions = {}): Promise<CephGateway> {
	const log = options.log ?? (() => {});
	await ensureCephInstalled(options.install ?? true, log);
	const rgwPort = options.rgwPort || (await freePort());
	const monPort = options.monPort || (await freePort());
	const accessKeyId = options.accessKeyId ?? 'S4SANDBOXKEY';
	const secretAccessKey = options.secretAccessKey ?? 'S4SANDBOXSECRET';
	const memstoreBytes = options.memstoreBytes ?? 1536 * 1024 * 1024;
	const parent = options.dataDir ?? os.tmpdir();
	await mkdir(parent, { recursive: true });
	const dir = await mkdtemp(path.join(parent, 's3-sandbox-ceph-'));
	const daemons: Daemon[] = [];
	cleanUpOnExit();
	liveDirectories.add(dir);

	const stop = async () => {
		// Order: gateway, OSD, monitor (each waits for the one below it to stay reachable while it shuts down).
		for (const daemon of [...daemons].reverse()) {
			await stopDaemon(daemon);
			liveDaemons.delete(daemon);
		}
		await rm(dir, { recursive: true, force: true });
		liveDirectories.delete(dir);
	};

	// When every daemon is gone (a signal to the whole process group, a crash), the cluster is useless: drop its files
	// even if stop() never runs.
	const removeWhenAllDead = () => {
		if (daemons.length > 0 && daemons.every((d) => d.exited) && liveDirectories.has(dir)) {
			rmSync(dir, { recursive: true, force: true });
			liveDirectories.delete(dir);
		}
	};
	const daemon = (name: string, command: string, args: string[]) => {
		const started = startDaemon(name, command, args, log, removeWhenAllDead);
		daemons.push(started);
		liveDaemons.add(started);
		return started;
	};

	try {
		for (const sub of ['mon', 'osd', 'run', 'log', 'rgw']) await mkdir(path.join(dir, sub));
		const conf = path.join(dir, 'ceph.conf');
		const c = ['-c', conf];
		const fsid = randomUUID();
		await writeFile(conf, cephConf(dir, fsid, monPort, rgwPort, memstoreBytes));

		await run('ceph-authtool', ['--create-keyring', `${dir}/mon.keyring`, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
		await run('ceph-authtool', [
			'--create-keyring', `${dir}/client.admin.keyring`, '--gen-key', '-n', 'client.admin',
			'--cap', 'mon', 'allow *', '--cap', 'osd', 'allow *', '--cap', 'mgr', 'allow *',
		]);
		await run('ceph-authtool', [`${dir}/mon.keyring`, '--import-keyring', `${dir}/client.admin.keyring`]);

		await run('monmaptool', ['--create', '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, '--fsid', fsid, `${dir}/monmap`]);
		await run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', `${dir}/monmap`, '--keyring', `${dir}/mon.keyring`]);
		await writeFile(`${dir}/mon.a.keyring`, await readFile(`${dir}/mon.keyring`));
		daemon('ceph-mon', 'ceph-mon', [...c, '-f', '-i', 'a']);
		await waitFor('the Ceph monitor', 60_000, async () => (await run('ceph', [...c, '--connect-timeout', '5', '-s'], { timeoutMs: 10_000 }), true), daemons);
		log('mon up');

		const osdUuid = randomUUID();
		await run('ceph-authtool', ['--create-keyring', `${dir}/osd.0.keyring`, '--gen-key', '-n', 'osd.0']);
		const osdKey = /key = (\S+)/.exec(await readFile(`${dir}/osd.0.keyring`, 'utf8'))?.[1];
		if (!osdKey) throw new CephSandboxError('ceph-authtool wrote no key for osd.0');
		await writeFile(`${dir}/osd.0.json`, JSON.stringify({ cephx_secret: osdKey }));
		await run('ceph', [...c, 'osd', 'new', osdUuid, '-i', `${dir}/osd.0.json`]);
		await run('ceph-osd', [...c, '-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
		daemon('ceph-osd', 'ceph-osd', [...c, '-f', '-i', '0']);
		await waitFor('the Ceph OSD', 90_000, async () => / 1 up/.test(await run('ceph', [...c, 'osd', 'stat'], { timeoutMs: 10_000 })), daemons);
		log('osd up');

		const rgwKeyring = await run('ceph', [...c, 'auth', 'get-or-create', 'client.rgw.a', 'mon', 'allow rw', 'osd', 'allow rwx']);
		await writeFile(`${dir}/client.rgw.a.keyring`, rgwKeyring);
		daemon('radosgw', 'radosgw', [...c, '-f', '-n', 'client.rgw.a']);
		const endpoint = `http://127.0.0.1:${rgwPort}`;
		await waitFor('the RADOS Gateway', 120_000, () => httpAnswers(`${endpoint}/`), daemons);
		log('rgw up');

		await run('radosgw-admin', [
			...c, 'user', 'create', '--uid=tester', '--display-name=tester',
			`--access-key=${accessKeyId}`, `--secret-key=${secretAccessKey}`,
		]);
		log('test user created');
		return { endpoint, accessKeyId, secretAccessKey, directory: dir, stop };
	} catch (error) {
		await stop().catch(() => {});
		throw error;
	}
}
