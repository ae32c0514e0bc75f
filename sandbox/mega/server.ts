import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHashcashChallenge, verifyHashcash, type HashcashChallenge } from '../../core/mega/crypto';
import { DiskBlobStore, MemoryBlobStore, type BlobStore } from './blob-store';
import { dialectOf, shapeV3Result } from './dialect';
import { holdsJsonList, jsonPieces } from './json-chunks';
import { COMMANDS, NO_SESSION } from './commands';
import { handleControl } from './control';
import { destroyAfterFlush, FaultRegistry, throttle, type FaultDecision } from './faults';
import { Provisioner } from './provision';
import { ScFeed } from './sc-log';
import { emptyCounters, type CommandContext, type FolderLinkContext, type SandboxState } from './state';
import { FOLDER, Store, type SessionRecord } from './store';
import { TransferRegistry } from './transfers';
import type {
	CreateAccountOptions,
	HashcashConfig,
	MegaSandbox,
	MegaSandboxOptions,
	QuotaSettings,
	SandboxAccount,
	SandboxAccountInfo,
	SandboxClient,
	SandboxCounters,
	SandboxEndpoint,
	SandboxNodeRecord,
} from './types';
import { ApiError, EARGS, EINTERNAL, ENOENT, ESID, ETOOMANY, SandboxHttpError, decodeSn, encodeSn, randomToken } from './util';

export { SandboxHttpError };

const MAX_JSON_BODY = 256 * 1024 * 1024;
const REPLAY_CACHE_LIMIT = 20_000;
const HASHCASH_TTL_MS = 10 * 60_000;
/** A streamed reply is written in pieces of at least this many characters (a few thousand `f` nodes). */
const STREAM_WRITE_CHARS = 256 * 1024;

interface ReplayEntry {
	bodyHash: string;
	reply: string;
}

interface WaitTicket {
	userHandle: string;
	sn: bigint;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const parts: Buffer[] = [];
		let length = 0;
		req.on('data', (chunk: Buffer) => {
			length += chunk.length;
			if (length > limit) {
				reject(new SandboxHttpError(413, 'request body too large'));
				req.destroy();
				return;
			}
			parts.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(parts, length)));
		req.on('error', reject);
	});
}

/** Resolves after `ms`, or at once when `signal` aborts. */
const delay = (ms: number, signal?: AbortSignal): Promise<void> =>
	new Promise((resolve) => {
		if (signal?.aborted) return resolve();
		const timer = setTimeout(done, ms);
		function done(): void {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		}
		signal?.addEventListener('abort', done);
	});

/** Resolves when `res` can take more bytes, or when its connection is gone. */
function writable(res: ServerResponse): Promise<void> {
	return new Promise((resolve) => {
		const done = (): void => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

/** The MEGA sandbox: one HTTP server for the API (`cs`, `sc`, wait URLs), the storage URLs and the control endpoint. */
export class MegaSandboxServer implements MegaSandbox {
	readonly state: SandboxState;
	readonly faults: FaultRegistry;
	readonly provisioner: Provisioner;
	readonly controlPath: string;
	private readonly server: Server;
	private readonly replies = new Map<string, ReplayEntry>();
	private readonly hashcashChallenges = new Map<string, { challenge: HashcashChallenge; created: number }>();
	private readonly waitTickets = new Map<string, WaitTicket>();
	private readonly closing = new AbortController();
	/** Replies being streamed: commands wait for them, so that a streamed `f` shows one state of the store. */
	private readonly replyStreams = new Set<Promise<unknown>>();
	private portNumber = 0;

	constructor(options: MegaSandboxOptions = {}) {
		let blobs: BlobStore;
		if (options.dataDir) {
			mkdirSync(options.dataDir, { recursive: true });
			blobs = new DiskBlobStore(options.dataDir);
		} else {
			blobs = new MemoryBlobStore();
		}
		const store = new Store((blobId) => blobs.release(blobId));
		this.faults = new FaultRegistry();
		this.state = {
			store,
			blobs,
			feed: new ScFeed(options.scLogLimit ?? 10_000),
			faults: this.faults,
			transfers: new TransferRegistry(blobs, store),
			gateway: '',
			waitTimeoutMs: options.waitTimeoutMs ?? 30_000,
			hashcash: options.hashcash ?? null,
			counters: emptyCounters(),
			log: options.log ?? (() => undefined),
		};
		this.controlPath = options.controlPath ?? '/__control';
		this.provisioner = new Provisioner(this);
		this.server = createServer((req, res) => {
			this.route(req, res).catch((error: unknown) => this.fail(res, error));
		});
		this.server.keepAliveTimeout = 65_000;
	}

	get gateway(): string {
		return this.state.gateway;
	}

	get controlUrl(): string {
		return `http://127.0.0.1:${this.portNumber}${this.controlPath}`;
	}

	get port(): number {
		return this.portNumber;
	}

	get accounts(): SandboxAccountInfo[] {
		return this.provisioner.accountInfos();
	}

	async listen(port = 0): Promise<void> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, '127.0.0.1', () => resolve());
		});
		this.portNumber = (this.server.address() as AddressInfo).port;
		this.state.gateway = `http://127.0.0.1:${this.portNumber}/`;
	}

	async close(): Promise<void> {
		this.closing.abort();
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}

	// ---- the programmatic API -------------------------------------------------------------------------------

	createAccount(options: CreateAccountOptions): Promise<SandboxAccount> {
		return this.provisioner.createAccount(options);
	}

	client(email: string): SandboxClient {
		return this.provisioner.client(email);
	}

	counters(): SandboxCounters {
		const c = this.state.counters;
		return { ...c, endpoints: { ...c.endpoints }, commands: { ...c.commands }, applied: { ...c.applied }, faults: this.faults.fired };
	}

	resetCounters(): void {
		this.state.counters = emptyCounters();
		this.faults.fired = 0;
	}

	private userHandleOf(email: string): string {
		const account = this.state.store.accountByEmail(email);
		if (!account) throw new SandboxHttpError(404, `no account ${email}`);
		return account.userHandle;
	}

	expireSessions(email?: string): void {
		const only = email === undefined ? undefined : this.userHandleOf(email);
		for (const session of this.state.store.sessions.values()) {
			if (!session.internal && (only === undefined || session.userHandle === only)) session.expired = true;
		}
	}

	trimScLog(email?: string, keep = 0): void {
		const handles = email === undefined ? [...this.state.store.accounts.keys()] : [this.userHandleOf(email)];
		for (const handle of handles) this.state.feed.trim(handle, keep);
	}

	setHashcash(config: HashcashConfig | null): void {
		if (config !== null && (!Array.isArray(config.commands) || !Number.isInteger(config.easiness) || config.easiness < 0 || config.easiness > 255)) {
			throw new SandboxHttpError(400, 'hashcash needs { commands: string[], easiness: 0..255 }');
		}
		this.state.hashcash = config;
	}

	setQuota(email: string, quota: QuotaSettings): void {
		const account = this.state.store.accounts.get(this.userHandleOf(email));
		if (!account) return;
		if (quota.storageBytes !== undefined) account.storageMax = quota.storageBytes;
		if (quota.transferBytes !== undefined) {
			account.transferMax = quota.transferBytes;
			account.transferQuotaFixed = true;
		}
		if (quota.transferResetSeconds !== undefined) account.transferResetSeconds = quota.transferResetSeconds;
	}

	setFileVersioning(email: string, enabled: boolean): void {
		const account = this.state.store.accounts.get(this.userHandleOf(email));
		if (account) account.fileVersioning = enabled;
	}

	currentSn(email: string): string {
		this.userHandleOf(email);
		return this.state.feed.current();
	}

	dumpStore(): string {
		const blobs = this.state.blobs.dump().map(({ id, data }) => ({ id, base64: data.toString('base64'), latin1: data.toString('latin1') }));
		return JSON.stringify({ ...this.state.store.serialize(), blobs });
	}

	getNode(handle: string): SandboxNodeRecord | undefined {
		const node = this.state.store.nodes.get(handle);
		if (!node) return undefined;
		const out: SandboxNodeRecord = { h: node.h, p: node.p, u: node.u, t: node.t, a: node.a, k: this.state.store.keyString(node), ts: node.ts };
		if (node.s !== undefined) out.s = node.s;
		if (node.fa) out.fa = node.fa;
		return out;
	}

	nodeCount(email: string): number {
		return this.state.store.nodeCount(this.userHandleOf(email));
	}

	// ---- command execution (shared by HTTP requests and the provisioning helper's client) ------------------------

	async execute(commands: Array<Record<string, unknown>>, ctx: CommandContext, count: boolean): Promise<unknown[]> {
		while (this.replyStreams.size > 0) await Promise.all(this.replyStreams);
		const results: unknown[] = [];
		const dialect = ctx.dialect ?? dialectOf(ctx.query);
		for (const [index, cmd] of commands.entries()) {
			const name = typeof cmd?.a === 'string' ? cmd.a : '';
			const handler = COMMANDS[name];
			// Each command gets its own sequence tag (v3), set by its first emitted packet. Only the batch's last command
			// may defer its lists: a later one could change what they show before they are written.
			const deferredLists = ctx.deferredLists === true && index === commands.length - 1;
			const commandCtx: CommandContext = { ...ctx, dialect, seqTag: undefined, deferredLists };
			let result: unknown;
			try {
				if (!handler) throw new ApiError(EARGS);
				if (!ctx.session && !NO_SESSION.has(name) && !(ctx.folderLink && name === 'f')) throw new ApiError(ESID);
				result = await handler(cmd, commandCtx);
				if (count) this.state.counters.applied[name] = (this.state.counters.applied[name] ?? 0) + 1;
			} catch (error) {
				if (!(error instanceof ApiError)) {
					this.state.log(`internal error in ${name}: ${error instanceof Error ? error.message : String(error)}`);
					result = EINTERNAL;
				} else result = error.code;
			}
			results.push(dialect === 'v3' ? shapeV3Result(result, commandCtx.seqTag) : result);
		}
		return results;
	}

	// ---- HTTP ------------------------------------------------------------------------------------------------

	private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const path = url.pathname;
		if (path === this.controlPath || path.startsWith(`${this.controlPath}/`)) {
			this.state.counters.endpoints.control++;
			return handleControl(this, req, res, path.slice(this.controlPath.length).replace(/^\/+/, ''));
		}
		if (path === '/cs') return this.handleCs(req, res, url.searchParams);
		if (path === '/cs/rs') return this.handleRequestStatus(req, res, url.searchParams);
		if (path === '/sc' || path === '/wsc') return this.handleSc(req, res, url.searchParams, path === '/wsc');
		let match = /^\/wsc\/([A-Za-z0-9_-]+)$/.exec(path);
		if (match) return this.handleWait(req, res, match[1], url.searchParams);
		match = /^\/ul\/([A-Za-z0-9_-]+)\/([^/]*)$/.exec(path);
		if (match) {
			this.state.counters.endpoints.upload++;
			const decision = await this.applyFaults({ endpoint: 'upload' });
				return this.state.transfers.handleUpload(req, res, match[1], match[2], url.searchParams, decision);
		}
		match = /^\/dl\/([A-Za-z0-9_-]+)(?:\/([^/]*))?$/.exec(path);
		if (match) {
			this.state.counters.endpoints.download++;
			const decision = await this.applyFaults({ endpoint: 'download' });
				return this.state.transfers.handleDownload(req, res, match[1], match[2], decision);
		}
		this.state.counters.endpoints.other++;
		req.resume();
		this.sendJson(res, 404, { error: 'not found' });
	}

	/** Decides the faults for one request and waits out any added latency. */
	private async applyFaults(request: { endpoint: SandboxEndpoint; commands?: string[]; email?: string }): Promise<FaultDecision> {
		const decision = this.faults.decide(request);
		if (decision.latencyMs > 0) await delay(decision.latencyMs);
		return decision;
	}

	private fail(res: ServerResponse, error: unknown): void {
		const status = error instanceof SandboxHttpError ? error.status : 500;
		if (status === 500) this.state.log(`sandbox error: ${error instanceof Error ? error.message : String(error)}`);
		if (!res.headersSent) this.sendJson(res, status, { error: error instanceof Error ? error.message : String(error) });
		else res.destroy();
	}

	sendJson(res: ServerResponse, status: number, value: unknown): void {
		this.sendRaw(res, status, JSON.stringify(value));
	}

	private sendRaw(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}, decision?: FaultDecision): void {
		const data = Buffer.from(body);
		res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length, 'Access-Control-Allow-Origin': '*', ...headers });
		if (decision?.bytesPerSecond && res.socket && data.length > 0) {
			const pace = throttle(res.socket, decision.bytesPerSecond);
			pace.pipe(res);
			pace.end(data);
		} else res.end(data);
	}

	/**
	 * HTTP-level faults shared by cs, sc and wait. Returns true when the fault answered the request. `socket` is the
	 * request's connection, captured on arrival, which a `drop` destroys.
	 */
	private answerFault(socket: Socket, res: ServerResponse, decision: FaultDecision, replyBody?: () => string): boolean {
		const fault = decision.fault;
		if (!fault) return false;
		switch (fault.kind) {
			case 'http':
				// MEGA's API says "Server Too Busy" with its 500s; megajs maps that phrase to EAGAIN.
				res.statusMessage = fault.status === 500 ? 'Server Too Busy' : '';
				res.writeHead(fault.status, { 'Content-Length': 0, ...fault.headers });
				res.end();
				return true;
			case 'error':
				this.sendRaw(res, 200, String(fault.code));
				return true;
			case 'drop': {
				const body = Buffer.from(replyBody ? replyBody() : '[0]');
				const keep = Math.min(body.length - 1, Math.max(0, fault.afterBytes ?? Math.floor(body.length / 2)));
				res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
				res.flushHeaders();
				if (keep > 0) res.write(body.subarray(0, keep));
				void destroyAfterFlush(socket);
				return true;
			}
			default:
				return false;
		}
	}

	private sessionFrom(query: URLSearchParams): SessionRecord | 'invalid' | undefined {
		const sid = query.get('sid');
		if (sid === null) return undefined;
		const session = this.state.store.sessions.get(sid);
		if (!session || session.expired) return 'invalid';
		return session;
	}

	private folderLinkFrom(query: URLSearchParams): FolderLinkContext | 'invalid' | undefined {
		const n = query.get('n');
		if (n === null) return undefined;
		const link = this.state.store.publicLinks.get(n);
		const node = link ? this.state.store.nodes.get(link.h) : undefined;
		if (!link || !node || node.t !== FOLDER) return 'invalid';
		return { ph: n, rootHandle: node.h, owner: node.u };
	}

	private emailOf(userHandle: string | undefined): string | undefined {
		return userHandle ? this.state.store.accounts.get(userHandle)?.email : undefined;
	}

	private async handleCs(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
		const counters = this.state.counters;
		counters.endpoints.cs++;
		const body = await readBody(req, MAX_JSON_BODY);
		let commands: unknown;
		try {
			commands = JSON.parse(body.toString('utf8'));
		} catch {
			commands = undefined;
		}
		const list = Array.isArray(commands) ? (commands as Array<Record<string, unknown>>) : undefined;
		const names = (list ?? []).map((c) => (c && typeof c.a === 'string' ? c.a : '?'));
		for (const name of names) counters.commands[name] = (counters.commands[name] ?? 0) + 1;
		const session = this.sessionFrom(query);
		const decision = await this.applyFaults({ endpoint: 'cs', commands: names, email: this.emailOf(session && session !== 'invalid' ? session.userHandle : undefined) });
		const fault = decision.fault;
		// A per-command error answers the commands it names (all of them without `command`); the others are applied.
		const commandFault = fault?.kind === 'error' && fault.scope === 'command' ? fault : undefined;
		const forced = names.map((name) => commandFault !== undefined && (commandFault.command === undefined || commandFault.command === name));
		if (commandFault && forced.every(Boolean)) return this.sendRaw(res, 200, JSON.stringify(names.map(() => commandFault.code)), {}, decision);
		if (fault && fault.kind !== 'drop' && !commandFault && this.answerFault(req.socket, res, decision)) return;
		if (!list) return this.sendRaw(res, 200, String(EARGS), {}, decision);

		// The replay cache comes first: a resent `sml` whose reply was lost still gets its 0, not -15.
		const id = query.get('id') ?? '';
		const bodyHash = createHash('sha256').update(body).digest('base64url');
		const replayKey = `${query.get('sid') ?? ''}|${query.get('n') ?? ''}|${id}`;
		const cached = id ? this.replies.get(replayKey) : undefined;
		if (cached && cached.bodyHash === bodyHash) {
			counters.replayed++;
			if (fault?.kind === 'drop') {
				this.answerFault(req.socket, res, decision, () => cached.reply);
				return;
			}
			return this.sendRaw(res, 200, cached.reply, {}, decision);
		}

		if (session === 'invalid') return this.sendRaw(res, 200, String(ESID), {}, decision);

		const config = this.state.hashcash;
		if (config && names.some((name) => config.commands.includes(name))) {
			if (!this.checkHashcash(req.headers['x-hashcash'])) {
				counters.hashcashChallenges++;
				const { header, challenge } = createHashcashChallenge(config.easiness);
				this.rememberChallenge(challenge);
				res.writeHead(402, { 'X-Hashcash': header, 'Content-Length': 0, 'Access-Control-Expose-Headers': 'X-Hashcash' });
				res.end();
				return;
			}
		}

		const folderLink = this.folderLinkFrom(query);
		// A large list (the nodes of an `f` that ends the batch) is serialized while it is written, unless a fault needs
		// the whole body first: `drop` cuts it at a byte offset, `bandwidth` paces it. The text is the same either way.
		const deferredLists = fault?.kind !== 'drop' && !decision.bytesPerSecond;
		const ctx: CommandContext = { state: this.state, session, folderLink: folderLink === 'invalid' ? undefined : folderLink, query, deferredLists };
		let results: unknown[];
		if (folderLink === 'invalid') results = list.map(() => ENOENT);
		else if (commandFault) {
			results = [];
			for (const [index, command] of list.entries()) {
				if (forced[index]) results.push(commandFault.code);
				else results.push(...(await this.execute([command], { ...ctx, deferredLists: deferredLists && index === list.length - 1 }, true)));
			}
		} else results = await this.execute(list, ctx, true);
		this.state.log(`cs ${names.join(',')} -> ${results.map((r) => (typeof r === 'number' ? r : 'ok')).join(',')}`);
		if (deferredLists && holdsJsonList(results)) {
			const streamed = this.streamReply(res, results, id !== '');
			const settled = streamed.catch(() => undefined);
			this.replyStreams.add(settled);
			try {
				const text = await streamed;
				if (text !== undefined) this.rememberReply(replayKey, bodyHash, text);
			} finally {
				this.replyStreams.delete(settled);
			}
			return;
		}
		const reply = JSON.stringify(results);
		if (id) this.rememberReply(replayKey, bodyHash, reply);
		// A dropped connection loses the reply of a request that was applied: the retry gets the cached reply.
		if (fault?.kind === 'drop') {
			if (fault.endSession && session) {
				// ... unless the session ended meanwhile: MEGA's replies are cached per session, so the resend gets -15.
				session.expired = true;
				this.replies.delete(replayKey);
			}
			this.answerFault(req.socket, res, decision, () => reply);
			return;
		}
		this.sendRaw(res, 200, reply, {}, decision);
	}

	private rememberReply(replayKey: string, bodyHash: string, reply: string): void {
		this.replies.set(replayKey, { bodyHash, reply });
		if (this.replies.size > REPLAY_CACHE_LIMIT) {
			const oldest = this.replies.keys().next().value;
			if (oldest !== undefined) this.replies.delete(oldest);
		}
	}

	/**
	 * Writes a reply holding a `JsonList` as it is serialized (chunked, no Content-Length), waiting for the client
	 * whenever the connection's buffer is full, so the first bytes leave at once and the whole text is never held for
	 * the write. Returns the whole text when `keepText` (for the replay cache), which is then built even if the client
	 * left: the cache is what its resend gets.
	 */
	private async streamReply(res: ServerResponse, results: unknown[], keepText: boolean): Promise<string | undefined> {
		res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
		const kept: string[] | undefined = keepText ? [] : undefined;
		let pending = '';
		for (const piece of jsonPieces(results)) {
			kept?.push(piece);
			pending += piece;
			if (pending.length < STREAM_WRITE_CHARS) continue;
			if (res.destroyed) {
				if (!kept) return undefined;
			} else if (!res.write(pending)) await writable(res);
			pending = '';
		}
		if (!res.destroyed) res.end(pending);
		return kept?.join('');
	}

	private rememberChallenge(challenge: HashcashChallenge): void {
		const now = Date.now();
		for (const [token, entry] of this.hashcashChallenges) {
			if (now - entry.created > HASHCASH_TTL_MS) this.hashcashChallenges.delete(token);
		}
		this.hashcashChallenges.set(challenge.tokenText, { challenge, created: now });
	}

	private checkHashcash(answer: string | string[] | undefined): boolean {
		if (typeof answer !== 'string') return false;
		const token = answer.split(':')[1];
		const entry = token ? this.hashcashChallenges.get(token) : undefined;
		if (!entry) return false;
		let valid = false;
		try {
			valid = verifyHashcash(entry.challenge, answer);
		} catch {
			valid = false;
		}
		// Each challenge admits one request.
		if (valid) this.hashcashChallenges.delete(token);
		return valid;
	}

	/**
	 * `sc?sn=` (legacy) and `wsc?sn=` (the SDK's and the web client's): packets since `sn`, or a wait URL when there is
	 * nothing new. Only `wsc` adds `sn` to the wait reply; a legacy `sc` answers `{w}` alone (megajs `pull`, go-mega
	 * `pollEvents` and the web client's `sc_residue` keep their current `sn` then).
	 */
	private async handleSc(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, withSn: boolean): Promise<void> {
		this.state.counters.endpoints.sc++;
		req.resume();
		const session = this.sessionFrom(query);
		const folderLink = this.folderLinkFrom(query);
		const decision = await this.applyFaults({ endpoint: 'sc', email: this.emailOf(session && session !== 'invalid' ? session.userHandle : undefined) });
		if (this.answerFault(req.socket, res, decision, () => '{}')) return;
		let userHandle: string;
		if (session && session !== 'invalid') userHandle = session.userHandle;
		else if (!session && folderLink && folderLink !== 'invalid') userHandle = folderLink.owner;
		else if (!session && folderLink === 'invalid') return this.sendRaw(res, 200, String(ENOENT), {}, decision);
		else return this.sendRaw(res, 200, String(ESID), {}, decision);
		// `sc?c=50` (MEGA's SDK asks once after fetching nodes, `MegaClient::exec`): the account's user alerts, read by
		// `UserAlerts::procsc_useralert`. A sandbox account has none; `lsn`/`fsn` are 8-byte handles, `ltd` a time delta.
		if (query.get('c') === '50' && session) {
			const sn = this.state.feed.current();
			return this.sendRaw(res, 200, JSON.stringify({ c: [], u: [], lsn: sn, fsn: sn, ltd: 0 }), {}, decision);
		}
		const sn = query.get('sn');
		const result = this.state.feed.since(userHandle, sn);
		if (result === 'too-old') return this.sendRaw(res, 200, String(ETOOMANY), {}, decision);
		// Folder-link sessions see no packets (the sandbox does not filter the owner's feed by subtree).
		if (result.packets.length > 0 && !(folderLink && !session)) return this.sendRaw(res, 200, JSON.stringify({ a: result.packets, sn: result.sn }), {}, decision);
		const token = randomToken(16);
		this.waitTickets.set(token, { userHandle, sn: decodeSn(sn) ?? 0n });
		if (this.waitTickets.size > 10_000) {
			const oldest = this.waitTickets.keys().next().value;
			if (oldest !== undefined) this.waitTickets.delete(oldest);
		}
		const wait: Record<string, string> = { w: `${this.state.gateway}wsc/${token}` };
		if (withSn) wait.sn = encodeSn(decodeSn(sn) ?? 0n);
		this.sendRaw(res, 200, JSON.stringify(wait), {}, decision);
	}

	/**
	 * `cs/rs?sid=` (MEGA's SDK keeps one open per session, `MegaClient::exec`): a binary stream of request-status
	 * records telling the client which of its requests the server is still working on (`MegaClient::procreqstat`).
	 * The sandbox works on each request while it answers, so the stream says "no operation in progress" (two zero
	 * bytes, a record with no users) and stays open until the wait timeout, like a long poll, or the client leaves.
	 */
	private async handleRequestStatus(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
		this.state.counters.endpoints.other++;
		req.resume();
		const session = this.sessionFrom(query);
		// A binary stream cannot carry a JSON error: a missing or dead session gets 403 with an empty body, on which the
		// SDK backs off and retries ("Failed reqstat request. Retrying") instead of re-polling at once.
		if (!session || session === 'invalid') {
			res.writeHead(403, { 'Content-Length': 0 });
			res.end();
			return;
		}
		res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Access-Control-Allow-Origin': '*' });
		res.write(Buffer.alloc(2));
		const held = this.holdOpen(res);
		await delay(this.state.waitTimeoutMs, held.signal);
		held.release();
		if (!res.destroyed && !res.writableEnded) res.end();
	}

	/** For a long poll: a signal that aborts when the client leaves or the sandbox closes; `release` stops listening. */
	private holdOpen(res: ServerResponse): { signal: AbortSignal; release(): void } {
		const gone = new AbortController();
		const onClose = (): void => gone.abort();
		res.on('close', onClose);
		return { signal: AbortSignal.any([gone.signal, this.closing.signal]), release: () => res.off('close', onClose) };
	}

	/** The wait URL: blocks until the account's feed grows past the polled `sn`, or the wait timeout passes. */
	private async handleWait(req: IncomingMessage, res: ServerResponse, token: string, query: URLSearchParams): Promise<void> {
		this.state.counters.endpoints.wait++;
		req.resume();
		const decision = await this.applyFaults({ endpoint: 'wait' });
		if (this.answerFault(req.socket, res, decision, () => '0')) return;
		const ticket = this.waitTickets.get(token);
		if (!ticket) return this.sendRaw(res, 200, String(ESID), {}, decision);
		const held = this.holdOpen(res);
		const sn = decodeSn(query.get('sn')) ?? ticket.sn;
		await this.state.feed.waitForChange(ticket.userHandle, sn, this.state.waitTimeoutMs, held.signal);
		held.release();
		if (res.destroyed || res.writableEnded) return;
		if (query.get('sn') !== null) {
			const result = this.state.feed.since(ticket.userHandle, query.get('sn'));
			if (result === 'too-old') return this.sendRaw(res, 200, String(ETOOMANY), {}, decision);
			if (result.packets.length > 0) return this.sendRaw(res, 200, JSON.stringify({ a: result.packets, sn: result.sn }), {}, decision);
		}
		this.sendRaw(res, 200, '0', {}, decision);
	}
}

export async function startMegaSandbox(options: MegaSandboxOptions = {}): Promise<MegaSandbox & MegaSandboxServer> {
	const sandbox = new MegaSandboxServer(options);
	await sandbox.listen(options.port ?? 0);
	try {
		if (options.seed) await sandbox.provisioner.seed();
	} catch (error) {
		await sandbox.close();
		throw error;
	}
	return sandbox;
}
