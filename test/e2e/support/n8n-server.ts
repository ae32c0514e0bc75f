/**
 * `n8n start` as a child process on a free 127.0.0.1 port, and a small client for n8n's internal REST API (`/rest/…`,
 * what the editor uses): owner set-up, login cookie, credential tests, workflow activation, executions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { N8nHome, RealN8n } from './real-n8n';

/** The owner account `startN8nServer` sets up (a throwaway instance on 127.0.0.1; printed by `npm run n8n`). */
export const OWNER = { email: 'owner@sandbox.local', password: 'Sandbox-owner-1', firstName: 'Sandbox', lastName: 'Owner' };

export async function freePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
		});
	});
}

export interface N8nServer {
	url: string;
	process: ChildProcess;
	/** Everything the process printed so far (for failure messages). */
	log(): string;
	/** Resolves once the process printed a line matching `pattern`; fails with the log after `timeoutMs`. */
	waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
	rest<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
	stop(): Promise<void>;
}

/** A REST error: n8n answered with a non-2xx status. */
export class N8nRestError extends Error {
	constructor(
		readonly status: number,
		readonly body: string,
		what: string,
	) {
		super(`${what} answered HTTP ${status}: ${body.slice(0, 2000)}`);
		this.name = 'N8nRestError';
	}
}

/**
 * Starts `n8n start`, waits until `/healthz` answers, then sets up the owner account (or logs in when the user folder
 * already has one) and keeps the auth cookie for `rest()`.
 */
export async function startN8nServer(n8n: RealN8n, home: N8nHome, extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<N8nServer> {
	const port = Number(extraEnv.N8N_PORT ?? (await freePort()));
	const url = `http://127.0.0.1:${port}`;
	const child = spawn(n8n.nodeBinary, [n8n.n8nEntry, 'start'], {
		cwd: home.userFolder,
		env: {
			...home.env,
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			WEBHOOK_URL: `${url}/`,
			N8N_SECURE_COOKIE: 'false',
			...extraEnv,
		},
	});
	let output = '';
	child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
	child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
	const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
	let cookie = '';
	const browserId = 'n8n-nodes-mega-e2e';

	const rest = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
		const response = await fetch(`${url}/rest${path}`, {
			method,
			headers: { 'content-type': 'application/json', 'browser-id': browserId, ...(cookie ? { cookie } : {}) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (setCookie) cookie = setCookie.split(';')[0];
		if (!response.ok) throw new N8nRestError(response.status, text, `${method} /rest${path}`);
		const parsed = text ? (JSON.parse(text) as { data?: T }) : {};
		return ('data' in parsed ? parsed.data : parsed) as T;
	};

	const stop = async (): Promise<void> => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
			await exited;
			clearTimeout(timer);
		}
	};

	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`n8n start exited ${child.exitCode}:\n${output.slice(-4000)}`);
		const ready = await fetch(`${url}/healthz/readiness`).then(
			(r) => r.ok,
			() => false,
		);
		if (ready) break;
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n start did not answer on ${url} within ${timeoutMs} ms:\n${output.slice(-4000)}`);
		}
		await new Promise((r) => setTimeout(r, 1000));
	}
	try {
		await rest('POST', '/owner/setup', OWNER);
	} catch (error) {
		// A user folder kept from an earlier `npm run n8n` already has its owner: log in instead.
		if (!(error instanceof N8nRestError) || error.status !== 400) throw error;
		await rest('POST', '/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
	}
	const waitForLog = async (pattern: RegExp, waitMs = 60_000): Promise<void> => {
		const until = Date.now() + waitMs;
		while (!pattern.test(output)) {
			if (Date.now() > until || child.exitCode !== null) throw new Error(`n8n never printed ${pattern}:\n${output.slice(-4000)}`);
			await new Promise((r) => setTimeout(r, 500));
		}
	};
	return { url, process: child, log: () => output, waitForLog, rest, stop };
}

/**
 * Publishes (activates) a workflow as the editor's toggle does, then waits until n8n reports it live. n8n 2.x applies
 * a publication through an outbox a moment later (polled every 15 s unless woken), so the POST returning is not
 * enough; `GET /rest/workflows/:id/publication-status` says when every trigger of the version is activated (for a
 * polling trigger that includes the poll n8n runs at activation).
 */
export async function activateWorkflow(server: N8nServer, workflowId: string, timeoutMs = 120_000): Promise<void> {
	const workflow = await server.rest<{ versionId: string }>('GET', `/workflows/${workflowId}`);
	await server.rest('POST', `/workflows/${workflowId}/activate`, { versionId: workflow.versionId });
	const until = Date.now() + timeoutMs;
	let status: PublicationStatus | undefined;
	while (Date.now() < until) {
		status = await server.rest<PublicationStatus>('GET', `/workflows/${workflowId}/publication-status`);
		const failed = status.triggers.filter((t) => t.status !== 'activated' && t.errorMessage);
		if (failed.length > 0) throw new Error(`workflow ${workflowId} did not activate: ${JSON.stringify(failed)}`);
		if (status.liveVersionId === workflow.versionId && status.pendingVersionId === null && status.triggers.length > 0 && status.triggers.every((t) => t.status === 'activated')) return;
		await new Promise((r) => setTimeout(r, 1000));
	}
	throw new Error(`workflow ${workflowId} was not live within ${timeoutMs} ms: ${JSON.stringify(status)}\n${server.log().slice(-3000)}`);
}

interface PublicationStatus {
	status: string;
	liveVersionId: string | null;
	pendingVersionId: string | null;
	triggers: Array<{ nodeId: string; status: string; errorMessage?: string | null }>;
}

export interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
	workflowId: string;
}

export async function listExecutions(server: N8nServer, workflowId: string): Promise<ExecutionSummary[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const page = await server.rest<{ results: ExecutionSummary[] }>('GET', `/executions?filter=${filter}`);
	return page.results;
}

export interface ExecutionRun {
	resultData: { runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }>> } }>>; error?: unknown };
}

/** One execution's run data; n8n keeps it in `flatted` form, decoded with n8n's own copy of that library. */
export async function getExecutionRun(server: N8nServer, n8n: RealN8n, executionId: string): Promise<ExecutionRun> {
	const execution = await server.rest<{ data: string }>('GET', `/executions/${executionId}`);
	const flatted = createRequire(join(n8n.n8nDir, 'node_modules', 'n8n', 'package.json'))('flatted') as { parse(text: string): unknown };
	return flatted.parse(execution.data) as ExecutionRun;
}

/** The JSON of every item a node output in one run. */
export function nodeItems(run: ExecutionRun, nodeName: string): Array<Record<string, unknown>> {
	return (run.resultData.runData[nodeName] ?? []).flatMap((r) => r.data?.main?.[0] ?? []).map((i) => i.json);
}
