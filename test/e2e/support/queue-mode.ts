/**
 * What n8n's queue mode needs, started by the test and thrown away after it: Debian's PostgreSQL (n8n does not support
 * SQLite in queue mode) and Redis (the job queue), each on 127.0.0.1 at a free port with a data folder of its own, and
 * n8n processes (`n8n start`, `n8n worker`) whose output the test can wait on.
 *
 * PostgreSQL refuses to run as root: when the tests run as root, its commands run as Debian's `postgres` user
 * (`setpriv`, which execs in place, so stopping the child stops the server).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { N8nHome, RealN8n } from './real-n8n';

const run = promisify(execFile);

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolvePort(port));
		});
	});
}

/** A child process whose combined output is kept, so a test can wait for a line and show the tail on failure. */
export class Service {
	private output = '';
	private exited: Promise<number | null>;
	private exitCode: number | null | undefined;

	constructor(
		readonly name: string,
		readonly child: ChildProcess,
	) {
		child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
		child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
		this.exited = new Promise((resolveExit) => {
			child.on('error', (error) => {
				this.output += `\n${error.message}`;
				this.exitCode = null;
				resolveExit(null);
			});
			child.on('close', (code) => {
				this.exitCode = code;
				resolveExit(code);
			});
		});
	}

	get log(): string {
		return this.output;
	}

	tail(chars = 4000): string {
		return `--- ${this.name} (last output) ---\n${this.output.slice(-chars)}`;
	}

	/** Waits until the output matches; fails with the output's tail when the process exits first or time runs out. */
	async waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const match = this.output.slice(from).match(pattern);
			if (match) return match;
			if (this.exitCode !== undefined) throw new Error(`${this.name} exited (${this.exitCode}) before printing ${pattern}\n${this.tail()}`);
			if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms\n${this.tail()}`);
			await new Promise((r) => setTimeout(r, 250));
		}
	}

	async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<void> {
		if (this.exitCode !== undefined) return;
		this.child.kill(signal);
		const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
		await this.exited;
		clearTimeout(timer);
	}
}

export interface Postgres {
	host: string;
	port: number;
	user: string;
	database: string;
	/** Runs one SQL statement with psql; returns its unaligned, tuples-only output. */
	query(sql: string): Promise<string>;
	stop(): Promise<void>;
}

function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
	if (versions.length === 0) {
		throw new Error('PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin); queue mode needs it. Debian: apt-get install postgresql (.ci/run installs it)');
	}
	return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** The command prefix that runs a PostgreSQL program as a non-root user when we are root. */
async function asPostgresUser(dataDir: string): Promise<string[]> {
	if (process.getuid?.() !== 0) return [];
	const { stdout: uid } = await run('id', ['-u', 'postgres']).catch(() => {
		throw new Error('running as root and there is no `postgres` user to run PostgreSQL as (Debian\'s postgresql package creates it)');
	});
	const { stdout: gid } = await run('id', ['-g', 'postgres']);
	chownSync(dataDir, Number(uid), Number(gid));
	return ['setpriv', `--reuid=${uid.trim()}`, `--regid=${gid.trim()}`, '--clear-groups', '--'];
}

/** A throwaway PostgreSQL cluster on 127.0.0.1 (trust authentication, no fsync: test data only). */
export async function startPostgres(): Promise<Postgres> {
	const bin = postgresBinDir();
	const root = mkdtempSync(join(tmpdir(), 'mega-e2e-pg-'));
	chmodSync(root, 0o755);
	const dataDir = join(root, 'data');
	mkdirSync(dataDir, { mode: 0o700 });
	const prefix = await asPostgresUser(dataDir);
	const user = 'n8n';
	const database = 'n8n';
	const command = (program: string, args: string[]): [string, string[]] => (prefix.length ? [prefix[0], [...prefix.slice(1), join(bin, program), ...args]] : [join(bin, program), args]);
	const [initdb, initdbArgs] = command('initdb', ['-D', dataDir, '-U', user, '-A', 'trust', '-E', 'UTF8', '--no-sync']);
	await run(initdb, initdbArgs, { maxBuffer: 16 * 2 ** 20 });
	const port = await freePort();
	// The socket goes in the data folder: /var/run/postgresql may not exist or be writable.
	const [postgres, postgresArgs] = command('postgres', ['-D', dataDir, '-h', '127.0.0.1', '-p', String(port), '-k', dataDir, '-F', '-c', 'fsync=off']);
	const server = new Service('postgres', spawn(postgres, postgresArgs, { stdio: ['ignore', 'pipe', 'pipe'] }));
	await server.waitFor(/ready to accept connections/, 60_000);
	const psql = join(bin, 'psql');
	const query = async (sql: string) => (await run(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres', '-At', '-c', sql], { maxBuffer: 64 * 2 ** 20 })).stdout;
	await query(`CREATE DATABASE ${database}`);
	return {
		host: '127.0.0.1',
		port,
		user,
		database,
		query: async (sql) => (await run(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database, '-At', '-c', sql], { maxBuffer: 64 * 2 ** 20 })).stdout,
		stop: async () => {
			// SIGINT is PostgreSQL's fast shutdown.
			await server.stop('SIGINT');
			rmSync(root, { recursive: true, force: true });
		},
	};
}

export interface Redis {
	host: string;
	port: number;
	stop(): Promise<void>;
}

/** A throwaway Redis on 127.0.0.1, nothing persisted. */
export async function startRedis(): Promise<Redis> {
	if (!existsSync('/usr/bin/redis-server')) {
		throw new Error('redis-server is not installed; queue mode needs it. Debian: apt-get install redis-server (.ci/run installs it)');
	}
	const dir = mkdtempSync(join(tmpdir(), 'mega-e2e-redis-'));
	const port = await freePort();
	const server = new Service(
		'redis-server',
		spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'], {
			stdio: ['ignore', 'pipe', 'pipe'],
		}),
	);
	await server.waitFor(/Ready to accept connections/, 30_000);
	return {
		host: '127.0.0.1',
		port,
		stop: async () => {
			await server.stop('SIGTERM');
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/** The environment main and workers share in queue mode: the same database, queue and encryption key. */
export function queueModeEnv(postgres: Postgres, redis: Redis, encryptionKey: string): NodeJS.ProcessEnv {
	return {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_DATABASE: postgres.database,
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		N8N_ENCRYPTION_KEY: encryptionKey,
		// Binary data that main and workers both reach: n8n's `database` mode (the default in queue mode).
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
	};
}

/** Starts one long-running n8n command (`start`, `worker`) in the given home. */
export function spawnN8n(n8n: RealN8n, home: N8nHome, args: string[], env: NodeJS.ProcessEnv): Service {
	const child = spawn(n8n.nodeBinary, [n8n.n8nEntry, ...args], { env: { ...home.env, ...env }, cwd: home.userFolder, stdio: ['ignore', 'pipe', 'pipe'] });
	return new Service(`n8n ${args.join(' ')}`, child);
}
