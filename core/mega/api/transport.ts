/**
 * MEGA's JSON-RPC transport: `POST {gateway}cs?id=<seq>[&sid=…]` with a JSON array of commands.
 *
 * - A resent request keeps its `id`, so the server replays its answer instead of applying the change twice.
 * - EAGAIN (-3), ERATELIMIT (-4), ETEMPUNAVAIL (-18), HTTP 5xx/429, dropped connections and timeouts are retried with
 *   capped exponential backoff and jitter, bounded in count and in total time, and stop at once on abort.
 * - HTTP 402 + X-Hashcash: the proof of work is solved off the main thread and the same request resent.
 * - ESID (-15): an optional hook re-logs in once, then the request is resent with the new session. A write (a command
 *   with an `i` tag) whose earlier attempt may have been applied (its reply was lost) is NOT resent blindly: MEGA caches
 *   replies per session, so under the new session the resend would be a second, new request. The change feed is read
 *   from where it stood before the write; the action packets that echo the command's `i` say it was applied (and give
 *   its result); a command with no echo is resent once.
 * - A per-command EAGAIN (-3) inside a batch: only those commands are sent again, in their order, with the same backoff.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { abortableSleep, equalJitterDelay } from '../../retry-timing';

import {
	MegaAbortError,
	MegaApiError,
	MegaError,
	MegaHttpError,
	MegaProtocolError,
	MegaRetryExhaustedError,
	MegaWriteOutcomeUnknownError,
	errorFromReply,
} from '../errors';
import { httpRequest, readAll } from './http';

export const DEFAULT_GATEWAY = 'https://g.api.mega.co.nz/';

export interface RetryPolicy {
	/** Retries after the first attempt. */
	maxRetries: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** No retry is scheduled once this much time has passed since the first attempt. */
	maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 7, baseDelayMs: 250, maxDelayMs: 8_000, maxTotalMs: 60_000 };

export type HashcashSolver = (challengeHeader: string, signal?: AbortSignal) => Promise<string>;

export interface MegaApiTransportOptions {
	gateway?: string;
	retry?: Partial<RetryPolicy>;
	/** Idle timeout of one HTTP attempt. */
	timeoutMs?: number;
	userAgent?: string;
	/** Extra query parameters on every `cs`/`sc` request, e.g. `{ n: folderLinkHandle }`. */
	query?: Record<string, string>;
	solveHashcash?: HashcashSolver;
	/** Called (at most once per request) when MEGA answers ESID; it must set a fresh `sid` on the transport. */
	onSessionExpired?: (expiredSid: string | undefined) => Promise<void>;
	/** Requests in flight at once (MEGA answers EAGAIN to clients that fire too many); default 6. */
	maxInFlight?: number;
	/** For tests: the source of jitter in [0, 1). */
	random?: () => number;
}

export interface RequestOptions {
	signal?: AbortSignal;
	query?: Record<string, string>;
	/** Send without `sid` (login, public links). */
	noSession?: boolean;
	/** Do not call the ESID hook (used by the login itself). */
	noRelogin?: boolean;
}

/** Reads one reply body as it streams in (see `requestStreamed`). */
export interface StreamedReplyReader {
	write(chunk: Buffer): void;
	/** The parsed reply; throws SyntaxError when the body was cut short or is not JSON. */
	end(): unknown;
}

export interface ScReply {
	a?: Array<Record<string, unknown>>;
	sn: string;
	w?: string;
	ir?: number;
}

export type MegaCommand = Record<string, unknown> & { a: string };

const MAX_HASHCASH_ROUNDS = 3;
/** Request tags (`i`): 10 characters, the length MEGA's own clients use. */
export const REQUEST_TAG_LENGTH = 10;
const TAG_COUNTER_DIGITS = 4;
const TAG_COUNTER_SPACE = 36 ** TAG_COUNTER_DIGITS;
const RETRYABLE_ERRNOS = new Set([-3, -4, -18, -19]);

async function defaultHashcashSolver(header: string, signal?: AbortSignal): Promise<string> {
	// Loaded lazily: only logins that MEGA challenges pay for the worker setup.
	const crypto = await import('../crypto');
	return crypto.solveHashcash(header, { signal });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return abortableSleep(ms, signal, (reason) => new MegaAbortError('The MEGA request was aborted', reason));
}

/** Thrown inside the retry loop: a write's reply was lost and the session was renewed; the caller checks the feed. */
class LostWriteReplySignal extends Error {}

/** How many times one batch is reconciled with the change feed before the outcome is reported as unknown. */
const MAX_RECONCILE_ROUNDS = 2;

interface AttemptResult {
	kind: 'ok' | 'retry' | 'hashcash' | 'esid';
	value?: unknown;
	error?: MegaError;
	challenge?: string;
}

export class MegaApiTransport {
	readonly gateway: string;
	sid: string | undefined;
	private readonly retry: RetryPolicy;
	private readonly timeoutMs: number;
	private readonly userAgent: string;
	private readonly baseQuery: Record<string, string>;
	private readonly solveHashcash: HashcashSolver;
	private readonly random: () => number;
	onSessionExpired: ((expiredSid: string | undefined) => Promise<void>) | undefined;
	/**
	 * Where the account's change feed stood (an `sn` already applied to the caller's tree). Read before a write goes out,
	 * so a write whose reply is lost can be looked up in the feed after a re-login. The live tree sets it.
	 */
	changeFeedPosition: (() => string | undefined) | undefined;
	private sequence: number;
	private readonly tagPrefix: string;
	private tagCounter = 0;
	private readonly ownTags = new Set<string>();
	private readonly maxInFlight: number;
	private inFlight = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(options: MegaApiTransportOptions = {}) {
		const gateway = options.gateway ?? DEFAULT_GATEWAY;
		this.gateway = gateway.endsWith('/') ? gateway : `${gateway}/`;
		this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
		this.timeoutMs = options.timeoutMs ?? 60_000;
		this.userAgent = options.userAgent ?? 'n8n-nodes-mega';
		this.baseQuery = { ...options.query };
		this.solveHashcash = options.solveHashcash ?? defaultHashcashSolver;
		this.onSessionExpired = options.onSessionExpired;
		this.random = options.random ?? Math.random;
		this.maxInFlight = Math.max(1, options.maxInFlight ?? 6);
		this.sequence = randomInt(1_000_000_000, 2_000_000_000);
		// `i` tags: a per-transport random prefix + a counter, so echoes in action packets identify our own requests.
		this.tagPrefix = randomBytes(6).toString('base64url').slice(0, REQUEST_TAG_LENGTH - TAG_COUNTER_DIGITS);
	}

	/**
	 * A fresh request tag for the `i` field of a mutating command; remembered as this process's own. Exactly 10
	 * characters, as MEGA's SDK, go-mega, megatools and mega.py send (6 random + a 4-digit base-36 counter that wraps).
	 */
	nextRequestTag(): string {
		this.tagCounter = (this.tagCounter + 1) % TAG_COUNTER_SPACE;
		const tag = `${this.tagPrefix}${this.tagCounter.toString(36).padStart(TAG_COUNTER_DIGITS, '0')}`;
		this.ownTags.add(tag);
		if (this.ownTags.size > 50_000) {
			const oldest = this.ownTags.values().next().value;
			if (oldest !== undefined) this.ownTags.delete(oldest);
		}
		return tag;
	}

	isOwnRequestTag(tag: unknown): boolean {
		return typeof tag === 'string' && this.ownTags.has(tag);
	}

	/** One command; a MEGA error in the reply is thrown as MegaApiError. */
	async request<T = unknown>(command: MegaCommand, options: RequestOptions = {}): Promise<T> {
		const [result] = await this.send([command], options, true);
		const error = errorFromReply(result, command.a);
		if (error) throw error;
		return result as T;
	}

	/** Several commands in one request; per-command errors come back as MegaApiError values, not thrown. */
	async batch(commands: MegaCommand[], options: RequestOptions = {}): Promise<Array<unknown>> {
		if (commands.length === 0) return [];
		const results = await this.send(commands, options, false);
		return results.map((result, index) => errorFromReply(result, commands[index].a) ?? result);
	}

	/**
	 * One `sc?sn=` poll (no wait URL). -6 (too far behind) is thrown as MegaApiError with errno -6.
	 * An idle account answers `{w}` (a wait URL) without `sn` on `sc` (only `wsc` adds `sn`), or a bare `0`: both
	 * mean "nothing new", so the reply keeps the `sn` that was asked for (megajs `pull`, go-mega `pollEvents`).
	 */
	async pollChanges(sn: string, options: RequestOptions = {}): Promise<ScReply> {
		const reply = await this.withRetries('sc', { sn }, undefined, options, (value) => {
			if (value === 0) return undefined;
			if (typeof value === 'number') return errorFromReply(value, 'sc') ?? new MegaProtocolError('Unexpected sc reply');
			if (value === null || typeof value !== 'object' || Array.isArray(value)) return new MegaProtocolError('Unexpected sc reply');
			return errorFromReply(value, 'sc');
		});
		if (reply === 0) return { a: [], sn };
		const record = reply as Partial<ScReply>;
		if (typeof record.sn === 'string') return record as ScReply;
		if (typeof record.w === 'string' && (record.a === undefined || record.a.length === 0)) return { ...record, a: [], sn };
		throw new MegaProtocolError('The change feed reply has no sequence number');
	}

	/**
	 * One command whose reply is read as it streams (the `f` node list): each attempt gets a fresh reader from
	 * `startReading`, fed every chunk, whose `end()` returns the parsed reply (or throws SyntaxError when cut short:
	 * the attempt is retried like any incomplete reply). A MEGA error in the reply is thrown as MegaApiError. Only for
	 * reads: a read is resent freely, so it needs neither the lost-write reconciliation nor the batch EAGAIN retry.
	 */
	async requestStreamed<T = unknown>(command: MegaCommand, startReading: () => StreamedReplyReader, options: RequestOptions = {}): Promise<T> {
		const [result] = await this.sendOnce([command], options, true, false, startReading);
		const error = errorFromReply(result, command.a);
		if (error) throw error;
		return result as T;
	}

	private async send(commands: MegaCommand[], options: RequestOptions, single: boolean, round = 0, retryBusy = true): Promise<unknown[]> {
		const isWrite = !options.noSession && commands.some((command) => typeof command.i === 'string');
		const since = isWrite ? this.changeFeedPosition?.() || undefined : undefined;
		let results: unknown[];
		try {
			results = await this.sendOnce(commands, options, single, isWrite);
		} catch (error) {
			if (!(error instanceof LostWriteReplySignal)) throw error;
			return this.reconcile(commands, since, options, single, round);
		}
		if (single || !retryBusy) return results;
		return this.retryBusyCommands(commands, results, options, round);
	}

	/**
	 * A batch in which some commands answered EAGAIN (-3): MEGA applied the others and not these. They go out again as
	 * one request, in their original order (a later one may depend on an earlier one), with the usual backoff.
	 */
	private async retryBusyCommands(commands: MegaCommand[], firstResults: unknown[], options: RequestOptions, round: number): Promise<unknown[]> {
		const results = [...firstResults];
		const started = Date.now();
		for (let retries = 0; ; retries++) {
			const busy = results.flatMap((result, index) => (errorFromReply(result)?.errno === -3 ? [index] : []));
			if (busy.length === 0) return results;
			const delay = this.backoffDelay(retries);
			if (retries >= this.retry.maxRetries || Date.now() - started + delay > this.retry.maxTotalMs) return results;
			await sleep(delay, options.signal);
			const again = await this.send(
				busy.map((index) => commands[index]),
				options,
				false,
				round,
				false,
			);
			busy.forEach((index, position) => {
				results[index] = again[position];
			});
		}
	}

	/**
	 * After a lost reply and a re-login: which commands of the batch did MEGA apply? Their `i` echoes in the change feed
	 * since `since` say so and carry their results; the others are sent once more (as a new request).
	 */
	private async reconcile(commands: MegaCommand[], since: string | undefined, options: RequestOptions, single: boolean, round: number): Promise<unknown[]> {
		const names = commands.map((command) => command.a);
		if (since === undefined || round >= MAX_RECONCILE_ROUNDS) throw new MegaWriteOutcomeUnknownError(names);
		const tags = new Set(commands.map((command) => command.i).filter((tag): tag is string => typeof tag === 'string'));
		const echoes = await this.readEchoes(since, tags, options).catch((error: unknown) => {
			if (error instanceof MegaApiError && error.errno === -6) throw new MegaWriteOutcomeUnknownError(names);
			throw error;
		});
		const results: unknown[] = commands.map((command) => {
			const packets = typeof command.i === 'string' ? echoes.get(command.i) : undefined;
			return packets ? resultFromEchoes(command, packets) : undefined;
		});
		const missing = results.flatMap((result, index) => (result === undefined ? [index] : []));
		if (missing.length === 0) return results;
		const resent = await this.send(
			missing.map((index) => commands[index]),
			options,
			single && missing.length === 1,
			round + 1,
		);
		missing.forEach((index, position) => {
			results[index] = resent[position];
		});
		return results;
	}

	/** The action packets since `since` that echo one of `tags`, by tag. */
	private async readEchoes(since: string, tags: Set<string>, options: RequestOptions): Promise<Map<string, Array<Record<string, unknown>>>> {
		const found = new Map<string, Array<Record<string, unknown>>>();
		let cursor = since;
		for (let page = 0; page < 50; page++) {
			const reply = await this.pollChanges(cursor, { signal: options.signal, query: options.query });
			for (const packet of reply.a ?? []) {
				if (typeof packet.i !== 'string' || !tags.has(packet.i)) continue;
				const list = found.get(packet.i) ?? [];
				list.push(packet);
				found.set(packet.i, list);
			}
			cursor = reply.sn;
			if (!reply.ir) break;
		}
		return found;
	}

	private async sendOnce(
		commands: MegaCommand[],
		options: RequestOptions,
		single: boolean,
		guardWrite: boolean,
		startReading?: () => StreamedReplyReader,
	): Promise<unknown[]> {
		const reply = await this.withRetries('cs', {}, commands, { ...options, guardWrite }, (value) => {
			if (Array.isArray(value)) {
				if (value.length !== commands.length) return new MegaProtocolError('MEGA answered a different number of results');
				if (single) {
					// A single command that MEGA asks us to retry is retried as a whole request (same id).
					const error = errorFromReply(value[0], commands[0].a);
					if (error && (error.retryable || error.errno === -15)) return error;
				}
				return undefined;
			}
			const error = errorFromReply(value, commands.map((c) => c.a).join(','));
			return error ?? new MegaProtocolError('MEGA sent a reply that is not a list of results');
		}, startReading);
		return reply as unknown[];
	}

	private async acquire(signal?: AbortSignal): Promise<void> {
		if (this.inFlight < this.maxInFlight) {
			this.inFlight += 1;
			return;
		}
		await new Promise<void>((resolve, reject) => {
			const onAbort = () => {
				const index = this.waiting.indexOf(grant);
				if (index >= 0) this.waiting.splice(index, 1);
				reject(new MegaAbortError('The MEGA request was aborted', signal?.reason));
			};
			const grant = () => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			};
			if (signal?.aborted) {
				onAbort();
				return;
			}
			signal?.addEventListener('abort', onAbort, { once: true });
			this.waiting.push(grant);
		});
	}

	private release(): void {
		const next = this.waiting.shift();
		if (next) next(); // the slot passes straight to the next waiter
		else this.inFlight -= 1;
	}

	private buildUrl(path: 'cs' | 'sc', id: string | undefined, extra: Record<string, string>, options: RequestOptions): string {
		const params = new URLSearchParams();
		if (id !== undefined) params.set('id', id);
		for (const [key, value] of Object.entries(extra)) params.set(key, value);
		if (this.sid && !options.noSession) params.set('sid', this.sid);
		for (const [key, value] of Object.entries({ ...this.baseQuery, ...options.query })) params.set(key, value);
		return `${this.gateway}${path}?${params.toString()}`;
	}

	private backoffDelay(retryIndex: number): number {
		return Math.round(equalJitterDelay(retryIndex, this.retry.baseDelayMs, this.retry.maxDelayMs, this.random));
	}

	/**
	 * Runs one logical request until it succeeds, fails for good, or the retry budget is spent.
	 * `classify` turns a parsed reply into an error (retryable or not) or undefined for success.
	 */
	private async withRetries(
		path: 'cs' | 'sc',
		extraQuery: Record<string, string>,
		commands: MegaCommand[] | undefined,
		options: RequestOptions & { guardWrite?: boolean },
		classify: (value: unknown) => MegaError | undefined,
		startReading?: () => StreamedReplyReader,
	): Promise<unknown> {
		const { signal } = options;
		const started = Date.now();
		const id = path === 'cs' ? String(this.sequence++) : undefined;
		const body = commands ? JSON.stringify(commands) : '';
		let retries = 0;
		let hashcashRounds = 0;
		let hashcashAnswer: string | undefined;
		let reloggedIn = false;
		// True once an attempt ended without a reply MEGA stands by (connection lost, cut or unreadable reply, HTTP error):
		// the request may have been applied.
		let mayBeApplied = false;

		for (;;) {
			if (signal?.aborted) throw new MegaAbortError('The MEGA request was aborted', signal.reason);
			const usedSid = options.noSession ? undefined : this.sid;
			const url = this.buildUrl(path, id, extraQuery, options);
			await this.acquire(signal);
			let result: AttemptResult;
			try {
				result = await this.attempt(url, body, hashcashAnswer, signal, classify, startReading);
			} finally {
				this.release();
			}
			hashcashAnswer = undefined;

			if (result.kind === 'ok') return result.value;
			if (result.kind === 'hashcash') {
				hashcashRounds += 1;
				if (hashcashRounds > MAX_HASHCASH_ROUNDS) {
					throw new MegaHttpError(402, 'MEGA kept asking for proof of work (hashcash); giving up');
				}
				hashcashAnswer = await this.solveHashcash(result.challenge as string, signal);
				continue;
			}
			if (result.kind === 'esid') {
				// A write whose reply was lost and which cannot be looked up (no new session) may still have been applied.
				const withMaybeApplied = (error: unknown): unknown => (mayBeApplied && options.guardWrite && error instanceof MegaError ? error.markMaybeApplied() : error);
				if (!reloggedIn && !options.noRelogin && !options.noSession && this.onSessionExpired) {
					reloggedIn = true;
					try {
						await this.onSessionExpired(usedSid);
					} catch (error) {
						throw withMaybeApplied(error);
					}
					if (mayBeApplied && options.guardWrite) throw new LostWriteReplySignal();
					continue;
				}
				throw withMaybeApplied(result.error);
			}
			// retry
			const error = result.error as MegaError;
			if (!(error instanceof MegaApiError)) mayBeApplied = true;
			if (!error.retryable) throw error;
			const delay = this.backoffDelay(retries);
			if (retries >= this.retry.maxRetries || Date.now() - started + delay > this.retry.maxTotalMs) {
				throw new MegaRetryExhaustedError(error, retries + 1);
			}
			retries += 1;
			await sleep(delay, signal);
		}
	}

	private async attempt(
		url: string,
		body: string,
		hashcashAnswer: string | undefined,
		signal: AbortSignal | undefined,
		classify: (value: unknown) => MegaError | undefined,
		startReading?: () => StreamedReplyReader,
	): Promise<AttemptResult> {
		const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': this.userAgent };
		if (hashcashAnswer) headers['X-Hashcash'] = hashcashAnswer;
		let status: number;
		let text = '';
		let reader: StreamedReplyReader | undefined;
		let challenge: string | undefined;
		try {
			const response = await httpRequest(url, { method: 'POST', body, headers, signal, timeoutMs: this.timeoutMs });
			status = response.status;
			const header = response.headers['x-hashcash'];
			challenge = Array.isArray(header) ? header[0] : header;
			if (startReading && status === 200) {
				reader = startReading();
				for await (const chunk of response.body) reader.write(chunk as Buffer);
			} else {
				text = (await readAll(response.body, 1024 * 1024 * 1024)).toString('utf8');
			}
		} catch (error) {
			if (error instanceof MegaError) return { kind: 'retry', error };
			if (error instanceof SyntaxError) return { kind: 'retry', error: new MegaProtocolError('MEGA sent an incomplete reply', true) };
			throw error;
		}
		if (status === 402 && challenge) return { kind: 'hashcash', challenge };
		if (status !== 200) {
			return { kind: 'retry', error: new MegaHttpError(status, `MEGA answered HTTP ${status}`) };
		}
		let value: unknown;
		try {
			value = reader ? reader.end() : JSON.parse(text);
		} catch {
			// A truncated or empty body: the request may not have been processed; resending the same id is safe.
			return { kind: 'retry', error: new MegaProtocolError('MEGA sent an incomplete reply', true) };
		}
		const error = classify(value);
		if (!error) return { kind: 'ok', value };
		if (error instanceof MegaApiError && error.errno === -15) return { kind: 'esid', error };
		if (error instanceof MegaApiError && RETRYABLE_ERRNOS.has(error.errno)) return { kind: 'retry', error };
		throw error;
	}
}

/** The result a command would have had, rebuilt from the action packets that echo its `i` (the legacy reply shapes). */
function resultFromEchoes(command: MegaCommand, packets: Array<Record<string, unknown>>): unknown {
	if (command.a === 'p') {
		const created = packets.find((packet) => packet.a === 't')?.t as { f?: unknown[] } | undefined;
		return { f: created?.f ?? [] };
	}
	if (command.a === 'l' && command.d === undefined) {
		const link = packets.find((packet) => packet.a === 'ph' && typeof packet.ph === 'string');
		if (link) return link.ph;
	}
	return 0;
}
