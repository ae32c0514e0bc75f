import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultSpecError } from './faults';
import type { MegaSandboxServer } from './server';
import type { CreateAccountOptions, FaultSpec, HashcashConfig } from './types';
import { SandboxHttpError } from './util';

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
	const parts: Buffer[] = [];
	for await (const chunk of req) parts.push(chunk as Buffer);
	const text = Buffer.concat(parts).toString('utf8').trim();
	if (text === '') return {};
	try {
		const value: unknown = JSON.parse(text);
		if (value === null) return null;
		if (typeof value !== 'object' || Array.isArray(value)) throw new SandboxHttpError(400, 'body must be a JSON object');
		return value as Record<string, unknown>;
	} catch (error) {
		if (error instanceof SandboxHttpError) throw error;
		throw new SandboxHttpError(400, 'body is not valid JSON');
	}
}

function optionalString(value: unknown, name: string): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string') throw new SandboxHttpError(400, `${name} must be a string`);
	return value;
}

function requiredString(value: unknown, name: string): string {
	const text = optionalString(value, name);
	if (!text) throw new SandboxHttpError(400, `${name} is required`);
	return text;
}

/**
 * The control endpoint (documented in sandbox/README.md): the same switches as the programmatic API, for tests and
 * tools in another process. JSON in, JSON out; errors are HTTP 4xx with `{ "error": "..." }`.
 */
export async function handleControl(sandbox: MegaSandboxServer, req: IncomingMessage, res: ServerResponse, action: string): Promise<void> {
	const method = req.method ?? 'GET';
	const reply = (value: unknown): void => sandbox.sendJson(res, 200, { ok: true, ...(value as object) });
	try {
		if (method === 'GET') {
			req.resume();
			if (action === 'counters') return reply(sandbox.counters());
			if (action === 'accounts') return reply({ accounts: sandbox.accounts });
			if (action === 'faults') return reply({ faults: sandbox.faults.list() });
			if (action === '' || action === 'info') return reply({ gateway: sandbox.gateway, control: sandbox.controlUrl, accounts: sandbox.accounts });
			throw new SandboxHttpError(404, `unknown control request GET ${action}`);
		}
		if (method === 'DELETE') {
			req.resume();
			const match = /^faults\/(.+)$/.exec(action);
			if (!match) throw new SandboxHttpError(404, `unknown control request DELETE ${action}`);
			sandbox.faults.remove(match[1]);
			return reply({});
		}
		if (method !== 'POST') throw new SandboxHttpError(405, 'use GET, POST or DELETE');
		const body = await readJson(req);
		switch (action) {
			case 'counters/reset':
				sandbox.resetCounters();
				return reply({});
			case 'accounts': {
				if (!body) throw new SandboxHttpError(400, 'account options required');
				const account = await sandbox.createAccount(body as unknown as CreateAccountOptions);
				const { email, password, version, totpSecret, userHandle, rootHandle, inboxHandle, rubbishHandle } = account;
				return reply({ account: { email, password, version, totpSecret, userHandle, rootHandle, inboxHandle, rubbishHandle } });
			}
			case 'faults':
				if (!body) throw new SandboxHttpError(400, 'fault spec required');
				return reply({ id: sandbox.faults.add(body as unknown as FaultSpec) });
			case 'faults/clear':
				sandbox.faults.clear();
				return reply({});
			case 'sessions/expire':
				sandbox.expireSessions(optionalString(body?.email, 'email'));
				return reply({});
			case 'sc/trim': {
				const keep = body?.keep;
				if (keep !== undefined && (!Number.isInteger(keep) || (keep as number) < 0)) throw new SandboxHttpError(400, 'keep must be a non-negative integer');
				sandbox.trimScLog(optionalString(body?.email, 'email'), keep as number | undefined);
				return reply({});
			}
			case 'hashcash':
				sandbox.setHashcash(body && Object.keys(body).length > 0 ? (body as unknown as HashcashConfig) : null);
				return reply({});
			case 'quota': {
				const email = requiredString(body?.email, 'email');
				const numberOf = (name: string): number | undefined => {
					const value = body?.[name];
					if (value === undefined) return undefined;
					if (typeof value !== 'number' || !(value >= 0)) throw new SandboxHttpError(400, `${name} must be a non-negative number`);
					return value;
				};
				sandbox.setQuota(email, { storageBytes: numberOf('storageBytes'), transferBytes: numberOf('transferBytes'), transferResetSeconds: numberOf('transferResetSeconds') });
				return reply({});
			}
			case 'versioning': {
				const email = requiredString(body?.email, 'email');
				if (typeof body?.enabled !== 'boolean') throw new SandboxHttpError(400, 'enabled must be true or false');
				sandbox.setFileVersioning(email, body.enabled);
				return reply({});
			}
			case 'client':
				return reply(await runClientOperation(sandbox, body ?? {}));
			default:
				throw new SandboxHttpError(404, `unknown control request POST ${action}`);
		}
	} catch (error) {
		if (error instanceof FaultSpecError) throw new SandboxHttpError(400, error.message);
		throw error;
	}
}

async function runClientOperation(sandbox: MegaSandboxServer, body: Record<string, unknown>): Promise<Record<string, unknown>> {
	const client = sandbox.client(requiredString(body.email, 'email'));
	const parent = optionalString(body.parent, 'parent');
	switch (body.op) {
		case 'mkdir':
			return { handle: await client.mkdir(requiredString(body.name, 'name'), parent) };
		case 'upload': {
			const data = Buffer.from(optionalString(body.dataBase64, 'dataBase64') ?? '', 'base64');
			return { handle: await client.upload(requiredString(body.name, 'name'), data, parent) };
		}
		case 'rename':
			await client.rename(requiredString(body.handle, 'handle'), requiredString(body.name, 'name'));
			return {};
		case 'move':
			await client.move(requiredString(body.handle, 'handle'), requiredString(body.target, 'target'));
			return {};
		case 'remove':
			await client.remove(requiredString(body.handle, 'handle'));
			return {};
		case 'list':
			return { nodes: await client.list() };
		case 'exportFolder': {
			const ownerKey = optionalString(body.ownerKey, 'ownerKey');
			if (ownerKey !== undefined && ownerKey !== 'dummy' && ownerKey !== 'real') throw new SandboxHttpError(400, "ownerKey must be 'dummy' or 'real'");
			return await client.exportFolder(requiredString(body.handle, 'handle'), { ownerKey });
		}
		default:
			throw new SandboxHttpError(400, "op must be one of 'mkdir', 'upload', 'rename', 'move', 'remove', 'list', 'exportFolder'");
	}
}
