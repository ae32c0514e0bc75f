import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** What a command run inside the namespace printed, and how it ended. */
export interface NamespaceRun {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: Buffer;
	stderr: string;
}

export interface LoopbackNamespace {
	/** The relay's process id: the namespace lives as long as it does. */
	readonly pid: number;
	/** Runs `command` inside the namespace (nsenter), in `cwd`, with exactly `env` (nothing inherited). */
	run(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<NamespaceRun>;
	close(): Promise<void>;
}

export interface LoopbackNamespaceOptions {
	/** Bind-mounted over /etc/hosts inside the namespace. */
	hostsFile: string;
	/** Bind-mounted over /etc/ssl/certs inside the namespace (the system CA bundle and hashed certificates). */
	certsDir: string;
	/** Inside the namespace, 127.0.0.1:port is relayed to this unix socket of the test process. */
	forwards: { port: number; socketPath: string }[];
}

// Runs as root in fresh mount and network namespaces (mounts private, so nothing propagates to the machine):
// loopback up, the two bind mounts, then the relay, which keeps the namespaces alive until its stdin closes.
const SETUP = [
	'set -eu',
	'ip link set lo up',
	'mount --bind "$1" /etc/hosts',
	'mount --bind "$2" /etc/ssl/certs',
	'node=$3',
	'shift 3',
	'exec "$node" "$@"',
].join('\n');

const RELAY = join(__dirname, 'loopback-relay.js');

/**
 * Mount and network namespaces of their own for megatools, made with `unshare` (needs root): the only network
 * device is a private loopback, so no request can leave 127.0.0.1; MEGA's API names resolve through a private
 * hosts file; the only trusted CA is a throwaway one. The machine's /etc/hosts and trust store are never written.
 */
export async function openLoopbackNamespace(options: LoopbackNamespaceOptions): Promise<LoopbackNamespace> {
	const forwards = options.forwards.map(({ port, socketPath }) => `${port}=${socketPath}`);
	const child = spawn('unshare', ['--mount', '--propagation', 'private', '--net', '--', 'sh', '-c', SETUP, 'sh', options.hostsFile, options.certsDir, process.execPath, RELAY, ...forwards], {
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	let stderr = '';
	child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
	const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
	await new Promise<void>((resolve, reject) => {
		const fail = (why: string): void => {
			clearTimeout(timer);
			if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
			reject(new Error(`Could not make megatools' namespaces (${why}): ${stderr.trim() || 'no output'}. They need root and the unshare, nsenter and ip commands (util-linux, iproute2).`));
		};
		const timer = setTimeout(() => fail('no "ready" from the loopback relay within 10 s'), 10_000);
		child.once('error', (error) => fail(error.message));
		child.once('exit', (code, signal) => fail(`setup exited with ${code ?? signal}`));
		child.stdout.setEncoding('utf8').once('data', (text: string) => {
			if (!text.startsWith('ready')) return fail(`unexpected relay output ${JSON.stringify(text)}`);
			clearTimeout(timer);
			child.removeAllListeners('exit');
			resolve();
		});
	});
	const pid = child.pid as number;

	return {
		pid,
		run: (command, args, runOptions) => new Promise<NamespaceRun>((resolve, reject) => {
			const inside = spawn('nsenter', [`--target=${pid}`, '--mount', '--net', `--wd=${runOptions.cwd}`, '--', command, ...args], {
				env: runOptions.env,
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			const out: Buffer[] = [];
			let err = '';
			inside.stdout.on('data', (chunk: Buffer) => out.push(chunk));
			inside.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
			const timeoutMs = runOptions.timeoutMs ?? 60_000;
			const timer = setTimeout(() => {
				err += `\n[killed: still running after ${timeoutMs} ms]`;
				inside.kill('SIGKILL');
			}, timeoutMs);
			inside.once('error', (error) => {
				clearTimeout(timer);
				reject(error);
			});
			inside.once('close', (code, signal) => {
				clearTimeout(timer);
				resolve({ code, signal, stdout: Buffer.concat(out), stderr: err });
			});
		}),
		close: async () => {
			child.stdin.end();
			const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
		},
	};
}
